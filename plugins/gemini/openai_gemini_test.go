package gemini

import (
	"errors"
	"testing"
)

func TestChatRequest(t *testing.T) {
	for _, tc := range []struct {
		name, in, model, want string
		stream, usage         bool
	}{
		{name: "minimal", in: `{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"Hi"}]}`,
			want: `{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}`},
		{name: "model from the request wins", in: `{"model":"alias","messages":[{"role":"user","content":"Hi"}]}`, model: "gemini-2.0-flash",
			want: `{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}`},
		{name: "system anywhere, developer, text parts",
			in:   `{"model":"m","messages":[{"role":"developer","content":[{"type":"text","text":"A"}]},{"role":"user","content":"Hi"},{"role":"system","content":"B"}]}`,
			want: `{"contents":[{"role":"user","parts":[{"text":"Hi"}]}],"systemInstruction":{"parts":[{"text":"A"},{"text":"B"}]}}`},
		{name: "generation config", in: `{"model":"m","messages":[{"role":"user","content":"x"}],"max_completion_tokens":9,"n":2,"seed":7,
			"presence_penalty":0.5,"frequency_penalty":-0.25,"stop":["a","b"],"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"}}},"reasoning_effort":"low","user":"u-1"}`,
			want: `{"contents":[{"role":"user","parts":[{"text":"x"}]}],"generationConfig":{"stopSequences":["a","b"],"candidateCount":2,"maxOutputTokens":9,` +
				`"presencePenalty":0.5,"frequencyPenalty":-0.25,"seed":7,"responseMimeType":"application/json","responseJsonSchema":{"type":"object"},"thinkingConfig":{"thinkingBudget":1024}}}`},
		{name: "json mode, nulls ignored", in: `{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"},"temperature":null}`,
			want: `{"contents":[{"role":"user","parts":[{"text":"x"}]}],"generationConfig":{"responseMimeType":"application/json"}}`},
		{name: "stream with usage", in: `{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}`,
			want: `{"contents":[{"role":"user","parts":[{"text":"x"}]}]}`, stream: true, usage: true},
		{name: "named tool choice", in: `{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","strict":true}}],"tool_choice":{"type":"function","function":{"name":"f"}}}`,
			want: `{"contents":[{"role":"user","parts":[{"text":"x"}]}],"tools":[{"functionDeclarations":[{"name":"f"}]}],"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["f"]}}}`},
		{name: "audio and a pdf", in: `{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"UklG","format":"wav"}},{"type":"file","file":{"file_data":"data:application/pdf;base64,JVBE","filename":"a.pdf"}},{"type":"image_url","image_url":{"url":"gs://bucket/x.webp"}}]}]}`,
			want: `{"contents":[{"role":"user","parts":[{"inlineData":{"mimeType":"audio/wav","data":"UklG"}},{"inlineData":{"mimeType":"application/pdf","data":"JVBE"}},{"fileData":{"mimeType":"image/webp","fileUri":"gs://bucket/x.webp"}}]}]}`},
		{name: "assistant refusal and text", in: `{"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","content":"","refusal":"No."},{"role":"user","content":"y"}]}`,
			want: `{"contents":[{"role":"user","parts":[{"text":"x"}]},{"role":"model","parts":[{"text":"No."}]},{"role":"user","parts":[{"text":"y"}]}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			c, err := ChatRequest(in, tc.model)
			if err != nil {
				t.Fatal(err)
			}
			if string(c.Body) != tc.want || c.Stream != tc.stream || c.IncludeUsage != tc.usage {
				t.Errorf("ChatRequest =\n %s stream=%v usage=%v\nwant\n %s stream=%v usage=%v", c.Body, c.Stream, c.IncludeUsage, tc.want, tc.stream, tc.usage)
			}
			if string(in) != tc.in {
				t.Errorf("the client's body was modified")
			}
			if again, _ := ChatRequest(in, tc.model); string(again.Body) != string(c.Body) {
				t.Errorf("not deterministic: %s then %s", c.Body, again.Body)
			}
		})
	}
}

func TestChatRequestRefuses(t *testing.T) {
	for _, tc := range []struct{ in, field string }{
		{`[]`, ""},
		{`{"messages":[{"role":"user","content":"x"}]}`, "model"},
		{`{"model":"m","messages":[]}`, "messages"},
		{`{"model":"m","messages":[{"role":"system","content":"only a system prompt"}]}`, "messages"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"logprobs":true}`, "logprobs"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"logit_bias":{"1":2}}`, "logit_bias"},
		{`{"model":"m","messages":[{"role":"user","content":"x","name":"bob"}]}`, "messages[0].name"},
		{`{"model":"m","messages":[{"role":"function","content":"x"}]}`, "messages[0].role"},
		{`{"model":"m","messages":[{"role":"user","content":[{"type":"video","x":1}]}]}`, "messages[0].content[0].type"},
		{`{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]}`, "messages[0].content[0].image_url.url"},
		{`{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:;base64,AA"}}]}]}`, "messages[0].content[0].image_url.url"},
		{`{"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]}`, "messages[0].content[0].file.file_id"},
		{`{"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"flac"}}]}]}`, "messages[0].content[0].input_audio.format"},
		{`{"model":"m","messages":[{"role":"system","content":[{"type":"image_url"}]},{"role":"user","content":"x"}]}`, "messages[0].content[0].type"},
		{`{"model":"m","messages":[{"role":"tool","tool_call_id":"c9","content":"x"}]}`, "messages[0].tool_call_id"},
		{`{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]}]}`, "messages[0].tool_calls[0].function.arguments"},
		{`{"model":"m","messages":[{"role":"assistant","content":""}]}`, "messages[0].content"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"web_search"}]}`, "tools[0].type"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":[]}}]}`, "tools[0].function.parameters"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"sometimes"}`, "tool_choice"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"parallel_tool_calls":false}`, "parallel_tool_calls"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0}`, "max_tokens"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"n":1.5}`, "n"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"}`, "temperature"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"stop":[1]}`, "stop[0]"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"yaml"}}`, "response_format.type"},
		{`{"model":"m","messages":[{"role":"user","content":"x"}],"reasoning_effort":"extreme"}`, "reasoning_effort"},
	} {
		_, err := ChatRequest([]byte(tc.in), "")
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("ChatRequest(%s) = %v; want a FieldError naming %q", tc.in, err, tc.field)
		}
	}
}
