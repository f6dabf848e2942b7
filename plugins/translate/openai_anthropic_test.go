package translate

import (
	"bytes"
	"errors"
	"testing"
)

func TestOpenAIToAnthropicRequest(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{
			name: "minimal: default max_tokens",
			in:   `{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"Hi"}]}`,
			want: `{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"Hi"}],"max_tokens":4096}`,
		},
		{
			name: "system prompt, sampling, stop, stream, user",
			in: `{"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],
				"max_tokens":100,"temperature":0.7,"top_p":0.9,"stop":"END","stream":true,"stream_options":{"include_usage":true},"user":"u-1",
				"n":1,"logprobs":false,"presence_penalty":0,"frequency_penalty":0,"response_format":{"type":"text"},"modalities":["text"],"store":false,"seed":null}`,
			want: `{"model":"m","system":"Be brief.","messages":[{"role":"user","content":"Hi"}],"max_tokens":100,
				"stop_sequences":["END"],"temperature":0.7,"top_p":0.9,"stream":true,"metadata":{"user_id":"u-1"}}`,
		},
		{
			name: "max_completion_tokens wins over max_tokens",
			in:   `{"model":"m","max_completion_tokens":50,"max_tokens":100,"messages":[]}`,
			want: `{"model":"m","messages":[],"max_tokens":50}`,
		},
		{
			name: "system and developer messages, wherever they are, become system blocks",
			in: `{"model":"m","messages":[{"role":"system","content":"One."},{"role":"user","content":"Hi"},
				{"role":"developer","content":[{"type":"text","text":"Two."},{"type":"text","text":"Three."}]}]}`,
			want: `{"model":"m","system":[{"type":"text","text":"One."},{"type":"text","text":"Two."},{"type":"text","text":"Three."}],
				"messages":[{"role":"user","content":"Hi"}],"max_tokens":4096}`,
		},
		{
			name: "multi-turn with parts and images",
			in: `{"model":"m","messages":[
				{"role":"user","content":[{"type":"text","text":"What is this?"},
					{"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"high"}},
					{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},
				{"role":"assistant","content":"A cat."},
				{"role":"user","content":"Sure?"}]}`,
			want: `{"model":"m","messages":[
				{"role":"user","content":[{"type":"text","text":"What is this?"},
					{"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},
					{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
				{"role":"assistant","content":"A cat."},
				{"role":"user","content":"Sure?"}],"max_tokens":4096}`,
		},
		{
			name: "tools, tool calls and their results",
			in: `{"model":"m","tools":[
					{"type":"function","function":{"name":"get_weather","description":"Weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":false}},
					{"type":"function","function":{"name":"now"}}],
				"tool_choice":"required","parallel_tool_calls":false,
				"messages":[{"role":"user","content":"Weather in Paris and Rome?"},
				{"role":"assistant","content":"","tool_calls":[
					{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}},
					{"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},
				{"role":"tool","tool_call_id":"call_1","content":"18C"},
				{"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"21C"}]},
				{"role":"user","content":"Thanks"},
				{"role":"assistant","content":null,"tool_calls":[{"id":"call_3","type":"function","function":{"name":"now","arguments":""}}]},
				{"role":"tool","tool_call_id":"call_3","content":"noon"}]}`,
			want: `{"model":"m","messages":[{"role":"user","content":"Weather in Paris and Rome?"},
				{"role":"assistant","content":[
					{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris"}},
					{"type":"tool_use","id":"call_2","name":"get_weather","input":{"city":"Rome"}}]},
				{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"18C"},
					{"type":"tool_result","tool_use_id":"call_2","content":[{"type":"text","text":"21C"}]}]},
				{"role":"user","content":"Thanks"},
				{"role":"assistant","content":[{"type":"tool_use","id":"call_3","name":"now","input":{}}]},
				{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_3","content":"noon"}]}],
				"max_tokens":4096,
				"tools":[{"name":"get_weather","description":"Weather in a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
					{"name":"now","input_schema":{"type":"object","properties":{}}}],
				"tool_choice":{"type":"any","disable_parallel_tool_use":true}}`,
		},
		{
			name: "assistant text beside tool calls; named tool choice",
			in: `{"model":"m","tool_choice":{"type":"function","function":{"name":"f"}},"messages":[
				{"role":"assistant","content":[{"type":"text","text":"Let me check."}],"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}]}`,
			want: `{"model":"m","messages":[{"role":"assistant","content":[{"type":"text","text":"Let me check."},
				{"type":"tool_use","id":"c","name":"f","input":{}}]}],"max_tokens":4096,"tool_choice":{"type":"tool","name":"f"}}`,
		},
		{
			name: "parallel_tool_calls false without tool_choice; none stays none",
			in:   `{"model":"m","messages":[],"parallel_tool_calls":false}`,
			want: `{"model":"m","messages":[],"max_tokens":4096,"tool_choice":{"type":"auto","disable_parallel_tool_use":true}}`,
		},
		{
			name: "tool_choice none with parallel_tool_calls false",
			in:   `{"model":"m","messages":[],"parallel_tool_calls":false,"tool_choice":"none"}`,
			want: `{"model":"m","messages":[],"max_tokens":4096,"tool_choice":{"type":"none"}}`,
		},
		{
			name: "markup is not escaped",
			in:   `{"model":"m","messages":[{"role":"user","content":"<b>&</b>"}]}`,
			want: `{"model":"m","messages":[{"role":"user","content":"<b>&</b>"}],"max_tokens":4096}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			tr := NewOpenAIToAnthropic()
			got, err := tr.RequestBody(in)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON(t, got, tc.want)
			if string(in) != tc.in {
				t.Error("the client's body was modified")
			}
			again, _ := tr.RequestBody(in)
			if !bytes.Equal(got, again) {
				t.Errorf("not idempotent: %s then %s", got, again)
			}
		})
	}
}

func TestOpenAIToAnthropicRequestRefuses(t *testing.T) {
	for _, tc := range []struct{ in, field string }{
		{`[]`, ""},
		{`{"model":`, ""},
		{`{"n":2}`, "n"},
		{`{"logprobs":true}`, "logprobs"},
		{`{"top_logprobs":2}`, "top_logprobs"},
		{`{"seed":7}`, "seed"},
		{`{"presence_penalty":0.5}`, "presence_penalty"},
		{`{"response_format":{"type":"json_object"}}`, "response_format"},
		{`{"modalities":["text","audio"]}`, "modalities"},
		{`{"audio":{"voice":"alloy"}}`, "audio"},
		{`{"reasoning_effort":"low"}`, "reasoning_effort"},
		{`{"temperature":1.5}`, "temperature"},
		{`{"temperature":"hot"}`, "temperature"},
		{`{"max_tokens":1.5}`, "max_tokens"},
		{`{"stream_options":{"include_obfuscation":false}}`, "stream_options.include_obfuscation"},
		{`{"messages":{}}`, "messages"},
		{`{"messages":[{"role":"user","name":"bob","content":"hi"}]}`, "messages[0].name"},
		{`{"messages":[{"role":"function","content":"x"}]}`, "messages[0].role"},
		{`{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAA","format":"wav"}}]}]}`, "messages[0].content[0].type"},
		{`{"messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"f"}}]}]}`, "messages[0].content[0].type"},
		{`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]}`, "messages[0].content[0].image_url.url"},
		{`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}]}`, "messages[0].content[0].image_url.url"},
		{`{"messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x"}}]}]}`, "messages[0].content[0].type"},
		{`{"messages":[{"role":"assistant","content":"x","audio":{"id":"a"}}]}`, "messages[0].audio"},
		{`{"messages":[{"role":"assistant","refusal":"no"}]}`, "messages[0].refusal"},
		{`{"messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]}]}`, "messages[0].tool_calls[0].function.arguments"},
		{`{"messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"custom","custom":{"name":"f","input":"x"}}]}]}`, "messages[0].tool_calls[0].custom"},
		{`{"messages":[{"role":"tool","content":"x"}]}`, "messages[0].tool_call_id"},
		{`{"tools":[{"type":"custom","custom":{"name":"f"}}]}`, "tools[0].custom"},
		{`{"tools":[{"type":"function","function":{"name":"f","strict":true}}]}`, "tools[0].function.strict"},
		{`{"tool_choice":{"type":"allowed_tools","allowed_tools":{}}}`, "tool_choice"},
	} {
		_, err := NewOpenAIToAnthropic().RequestBody([]byte(tc.in))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("RequestBody(%s) = %v; want a FieldError for %q", tc.in, err, tc.field)
		}
	}
}

func TestOpenAIToAnthropicResponse(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{
			name: "text with cache usage",
			in: `{"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"Hello"},{"type":"text","text":" world"}],
				"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":30,"output_tokens":5}}`,
			want: `{"id":"msg_01","object":"chat.completion","created":1700000000,"model":"claude-haiku-4-5",
				"choices":[{"index":0,"message":{"role":"assistant","content":"Hello world"},"logprobs":null,"finish_reason":"stop"}],
				"usage":{"prompt_tokens":60,"completion_tokens":5,"total_tokens":65,"prompt_tokens_details":{"cached_tokens":30}}}`,
		},
		{
			name: "tool use only",
			in: `{"id":"msg_02","model":"m","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city": "Paris"}}],
				"stop_reason":"tool_use","usage":{"input_tokens":3,"output_tokens":4}}`,
			want: `{"id":"msg_02","object":"chat.completion","created":1700000000,"model":"m",
				"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
					{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],
				"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"prompt_tokens_details":{"cached_tokens":0}}}`,
		},
		{
			name: "max_tokens is length; refusal is content_filter",
			in:   `{"id":"a","model":"m","content":[{"type":"text","text":"x"}],"stop_reason":"max_tokens","usage":{}}`,
			want: `{"id":"a","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"logprobs":null,"finish_reason":"length"}],
				"usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0,"prompt_tokens_details":{"cached_tokens":0}}}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewOpenAIToAnthropic().ResponseBody([]byte(tc.in), 1700000000)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON(t, got, tc.want)
		})
	}
	for _, in := range []string{`[]`, `{"content":[{"type":"thinking","thinking":"hm"}]}`, `{"content":[],"stop_reason":"pause_forever"}`} {
		if _, err := NewOpenAIToAnthropic().ResponseBody([]byte(in), 1); err == nil {
			t.Errorf("ResponseBody(%s) succeeded", in)
		}
	}
}

func TestOpenAIToAnthropicErrors(t *testing.T) {
	tr := NewOpenAIToAnthropic()
	for _, tc := range []struct {
		status   int
		in, want string
	}{
		{429, `{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}}`,
			`{"error":{"message":"Number of requests has exceeded your rate limit","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}`},
		{529, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
			`{"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":null}}`},
		{401, `{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}`,
			`{"error":{"message":"invalid x-api-key","type":"authentication_error","param":null,"code":"invalid_api_key"}}`},
		{502, `<html>Bad gateway</html>`,
			`{"error":{"message":"the provider answered 502 Bad Gateway","type":"api_error","param":null,"code":null}}`},
	} {
		wantJSON(t, tr.ResponseError(tc.status, []byte(tc.in)), tc.want)
	}
	wantJSON(t, tr.RequestError(refuse("n", "Anthropic gives one choice: n must be 1")),
		`{"error":{"message":"n: Anthropic gives one choice: n must be 1 (the provider chosen speaks Anthropic's Messages API)",
		"type":"invalid_request_error","param":"n","code":"unsupported_parameter"}}`)
	wantJSON(t, tr.RequestError(errNotObject),
		`{"error":{"message":"the request body is not a JSON object (the provider chosen speaks Anthropic's Messages API)",
		"type":"invalid_request_error","param":null,"code":"unsupported_parameter"}}`)
}
