package translate

import (
	"bytes"
	"errors"
	"testing"
)

func TestAnthropicToOpenAIRequest(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{
			name: "minimal",
			in:   `{"model":"gpt-4o-mini","max_tokens":1024,"messages":[{"role":"user","content":"Hello, world"}]}`,
			want: `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello, world"}],"max_tokens":1024}`,
		},
		{
			name: "system, sampling, stop, stream with usage, user; cache_control dropped",
			in: `{"model":"m","max_tokens":100,"system":"Be brief.","temperature":0.2,"top_p":0.9,"stop_sequences":["END","STOP"],
				"stream":true,"metadata":{"user_id":"u-1"},"thinking":{"type":"disabled"},
				"messages":[{"role":"user","content":[{"type":"text","text":"Hi","cache_control":{"type":"ephemeral"}}]}]}`,
			want: `{"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Hi"}]}],
				"max_tokens":100,"stop":["END","STOP"],"temperature":0.2,"top_p":0.9,"stream":true,"stream_options":{"include_usage":true},"user":"u-1"}`,
		},
		{
			name: "system blocks become text parts",
			in: `{"model":"m","max_tokens":1,"system":[{"type":"text","text":"One."},{"type":"text","text":"Two.","cache_control":{"type":"ephemeral"}}],
				"messages":[{"role":"user","content":"Hi"}]}`,
			want: `{"model":"m","messages":[{"role":"system","content":[{"type":"text","text":"One."},{"type":"text","text":"Two."}]},
				{"role":"user","content":"Hi"}],"max_tokens":1}`,
		},
		{
			name: "images by url and base64",
			in: `{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[
				{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}},
				{"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},
				{"type":"text","text":"Compare"}]}]}`,
			want: `{"model":"m","messages":[{"role":"user","content":[
				{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}},
				{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}},
				{"type":"text","text":"Compare"}]}],"max_tokens":1}`,
		},
		{
			name: "tools, tool use and results",
			in: `{"model":"m","max_tokens":1,
				"tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}},"cache_control":{"type":"ephemeral"}},
					{"type":"custom","name":"now","input_schema":{"type":"object"}}],
				"tool_choice":{"type":"any","disable_parallel_tool_use":true},
				"messages":[{"role":"user","content":"Weather in Paris?"},
				{"role":"assistant","content":[{"type":"text","text":"Let me "},{"type":"text","text":"check."},
					{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city": "Paris"}},
					{"type":"tool_use","id":"toolu_2","name":"now","input":{}}]},
				{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
					{"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"noon"}],"is_error":false},
					{"type":"text","text":"And tomorrow?"}]},
				{"role":"assistant","content":[{"type":"tool_use","id":"toolu_3","name":"now","input":{}}]},
				{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_3"}]}]}`,
			want: `{"model":"m","messages":[{"role":"user","content":"Weather in Paris?"},
				{"role":"assistant","content":"Let me check.","tool_calls":[
					{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
					{"id":"toolu_2","type":"function","function":{"name":"now","arguments":"{}"}}]},
				{"role":"tool","content":"18C","tool_call_id":"toolu_1"},
				{"role":"tool","content":[{"type":"text","text":"noon"}],"tool_call_id":"toolu_2"},
				{"role":"user","content":[{"type":"text","text":"And tomorrow?"}]},
				{"role":"assistant","content":null,"tool_calls":[{"id":"toolu_3","type":"function","function":{"name":"now","arguments":"{}"}}]},
				{"role":"tool","content":"","tool_call_id":"toolu_3"}],
				"max_tokens":1,
				"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},
					{"type":"function","function":{"name":"now","parameters":{"type":"object"}}}],
				"tool_choice":"required","parallel_tool_calls":false}`,
		},
		{
			name: "named and auto tool choices",
			in:   `{"model":"m","max_tokens":1,"tool_choice":{"type":"tool","name":"f"},"messages":[{"role":"assistant","content":"ok"}]}`,
			want: `{"model":"m","messages":[{"role":"assistant","content":"ok"}],"max_tokens":1,"tool_choice":{"type":"function","function":{"name":"f"}}}`,
		},
		{
			name: "auto tool choice",
			in:   `{"model":"m","max_tokens":1,"tool_choice":{"type":"auto"},"messages":[]}`,
			want: `{"model":"m","messages":[],"max_tokens":1,"tool_choice":"auto"}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			got, err := NewAnthropicToOpenAI().RequestBody(in)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON(t, got, tc.want)
			if string(in) != tc.in {
				t.Error("the client's body was modified")
			}
			again, _ := NewAnthropicToOpenAI().RequestBody(in)
			if !bytes.Equal(got, again) {
				t.Errorf("not idempotent: %s then %s", got, again)
			}
		})
	}
}

func TestAnthropicToOpenAIRequestRefuses(t *testing.T) {
	for _, tc := range []struct{ in, field string }{
		{`"x"`, ""},
		{`{"top_k":5}`, "top_k"},
		{`{"thinking":{"type":"enabled","budget_tokens":1024}}`, "thinking"},
		{`{"service_tier":"auto"}`, "service_tier"},
		{`{"mcp_servers":[]}`, "mcp_servers"},
		{`{"metadata":{"user_id":"u","tags":[]}}`, "metadata.tags"},
		{`{"system":[{"type":"text","text":"x","citations":[]}]}`, "system[0].citations"},
		{`{"system":7}`, "system"},
		{`{"stop_sequences":"END"}`, "stop_sequences"},
		{`{"messages":[{"role":"system","content":"x"}]}`, "messages[0].role"},
		{`{"messages":[{"role":"user","content":"x","name":"bob"}]}`, "messages[0].name"},
		{`{"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBER"}}]}]}`, "messages[0].content[0].type"},
		{`{"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]}`, "messages[0].content[0].source.type"},
		{`{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"boom","is_error":true}]}]}`, "messages[0].content[0].is_error"},
		{`{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{"type":"url","url":"https://x"}}]}]}]}`, "messages[0].content[0].content[0].type"},
		{`{"messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"s"}]}]}`, "messages[0].content[0].type"},
		{`{"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":[1]}]}]}`, "messages[0].content[0].input"},
		{`{"tools":[{"type":"web_search_20250305","name":"web_search"}]}`, "tools[0].type"},
		{`{"tools":[{"name":"f","input_schema":{"type":"object"},"strict":true}]}`, "tools[0].strict"},
		{`{"tool_choice":{"type":"auto","extra":1}}`, "tool_choice.extra"},
		{`{"tool_choice":{"type":"maybe"}}`, "tool_choice.type"},
	} {
		_, err := NewAnthropicToOpenAI().RequestBody([]byte(tc.in))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("RequestBody(%s) = %v; want a FieldError for %q", tc.in, err, tc.field)
		}
	}
}

func TestAnthropicToOpenAIResponse(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{
			name: "text with cached usage",
			in: `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,
				"message":{"role":"assistant","content":"Hello there","refusal":null},"logprobs":null,"finish_reason":"stop"}],
				"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":8}}}`,
			want: `{"id":"chatcmpl-1","type":"message","role":"assistant","model":"gpt-4o-mini-2024-07-18","content":[{"type":"text","text":"Hello there"}],
				"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":11,"cache_creation_input_tokens":0,"cache_read_input_tokens":8,"output_tokens":10}}`,
		},
		{
			name: "tool calls",
			in: `{"id":"c2","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
				{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
				{"id":"call_2","type":"function","function":{"name":"now","arguments":""}}]},"finish_reason":"tool_calls"}],
				"usage":{"prompt_tokens":5,"completion_tokens":6}}`,
			want: `{"id":"c2","type":"message","role":"assistant","model":"m","content":[
				{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},
				{"type":"tool_use","id":"call_2","name":"now","input":{}}],
				"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":6}}`,
		},
		{
			name: "refusal; length",
			in:   `{"id":"c3","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't."},"finish_reason":"stop"}]}`,
			want: `{"id":"c3","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"I can't."}],
				"stop_reason":"refusal","stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}`,
		},
		{
			name: "text parts; length",
			in:   `{"id":"c4","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},"finish_reason":"length"}]}`,
			want: `{"id":"c4","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"ab"}],
				"stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewAnthropicToOpenAI().ResponseBody([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			wantJSON(t, got, tc.want)
		})
	}
	for _, in := range []string{
		`{"choices":[]}`,
		`{"choices":[{"index":0,"message":{}},{"index":1,"message":{}}]}`,
		`{"choices":[{"index":0,"message":{"tool_calls":[{"id":"c","function":{"name":"f","arguments":"{"}}]}}]}`,
		`{"choices":[{"index":0,"message":{},"finish_reason":"eaten"}]}`,
		`nope`,
	} {
		if _, err := NewAnthropicToOpenAI().ResponseBody([]byte(in)); err == nil {
			t.Errorf("ResponseBody(%s) succeeded", in)
		}
	}
}

func TestAnthropicToOpenAIErrors(t *testing.T) {
	tr := NewAnthropicToOpenAI()
	for _, tc := range []struct {
		status   int
		in, want string
	}{
		{429, `{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}`,
			`{"type":"error","error":{"type":"rate_limit_error","message":"Rate limit reached"}}`},
		{400, `{"error":{"message":"Bad","type":"invalid_request_error"}}`,
			`{"type":"error","error":{"type":"invalid_request_error","message":"Bad"}}`},
		{401, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`,
			`{"type":"error","error":{"type":"authentication_error","message":"Incorrect API key provided"}}`},
		{503, `upstream connect error`,
			`{"type":"error","error":{"type":"overloaded_error","message":"the provider answered 503 Service Unavailable"}}`},
		{500, `{}`, `{"type":"error","error":{"type":"api_error","message":"the provider answered 500 Internal Server Error"}}`},
	} {
		wantJSON(t, tr.ResponseError(tc.status, []byte(tc.in)), tc.want)
	}
	wantJSON(t, tr.RequestError(refuse("top_k", "has no OpenAI equivalent")),
		`{"type":"error","error":{"type":"invalid_request_error","message":"top_k: has no OpenAI equivalent (the provider chosen speaks OpenAI's chat completions API)"}}`)
}
