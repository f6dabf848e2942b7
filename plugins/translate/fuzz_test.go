package translate

import (
	"encoding/json"
	"errors"
	"testing"
)

// The translators never panic, and whatever they write is JSON: a request
// they take becomes a valid body, one they refuse a *FieldError.

func FuzzRequestBody(f *testing.F) {
	for _, seed := range []string{
		`{"model":"m","messages":[{"role":"system","content":"S"},{"role":"user","content":[{"type":"text","text":"x"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AA"}}]},` +
			`{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"r"}],` +
			`"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"required","parallel_tool_calls":false,"stream":true}`,
		`{"model":"m","max_tokens":5,"system":[{"type":"text","text":"S"}],"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"x"},` +
			`{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA"}}]},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]}],` +
			`"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"f","disable_parallel_tool_use":true},"metadata":{"user_id":"u"}}`,
		`{"n":2}`, `[]`, `{"messages":[{"role":"user","content":null}]}`, `{"tool_choice":{"type":"function"}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, tr := range []interface {
			RequestBody([]byte) ([]byte, error)
		}{NewOpenAIToAnthropic(), NewAnthropicToOpenAI()} {
			out, err := tr.RequestBody(raw)
			var fe *FieldError
			switch {
			case err != nil && !errors.As(err, &fe):
				t.Fatalf("%T refused with %v, not a *FieldError", tr, err)
			case err == nil && !json.Valid(out):
				t.Fatalf("%T wrote %q", tr, out)
			}
		}
	})
}

func FuzzResponse(f *testing.F) {
	f.Add([]byte(`{"id":"msg_1","content":[{"type":"text","text":"x"},{"type":"tool_use","id":"t","name":"f","input":{"a":1}}],"stop_reason":"tool_use","usage":{"input_tokens":1}}`))
	f.Add([]byte(`{"id":"c","choices":[{"index":0,"message":{"content":"x","tool_calls":[{"id":"t","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":1}}`))
	f.Add([]byte(`{"error":{"message":"x"}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if out, err := NewOpenAIToAnthropic().ResponseBody(raw, 1); err == nil && !json.Valid(out) {
			t.Fatalf("OpenAIToAnthropic wrote %q", out)
		}
		if out, err := NewAnthropicToOpenAI().ResponseBody(raw); err == nil && !json.Valid(out) {
			t.Fatalf("AnthropicToOpenAI wrote %q", out)
		}
		for _, out := range [][]byte{NewOpenAIToAnthropic().ResponseError(429, raw), NewAnthropicToOpenAI().ResponseError(500, raw)} {
			if !json.Valid(out) {
				t.Fatalf("an error body %q", out)
			}
		}
	})
}

// FuzzStream feeds both stream translators the same events (split on NUL
// bytes): every event they write carries JSON data.
func FuzzStream(f *testing.F) {
	f.Add([]byte(`{"type":"message_start","message":{"id":"m"}}` + "\x00" + `{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"f"}}` +
		"\x00" + `{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{"}}` + "\x00" + `{"type":"message_stop"}`))
	f.Add([]byte(`{"id":"c","choices":[{"index":0,"delta":{"content":"x","tool_calls":[{"index":0,"id":"t","function":{"name":"f","arguments":"{"}}]}}]}` +
		"\x00" + `{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\x00[DONE]"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, s := range []Stream{NewOpenAIToAnthropic().ResponseStream(1), NewAnthropicToOpenAI().ResponseStream()} {
			var out []byte
			for i, data := range splitNUL(raw) {
				if i > 64 {
					break
				}
				b, err := s.Event("", data)
				if err != nil {
					break
				}
				out = append(out, b...)
			}
			for _, e := range events(out) {
				if e[1] != "[DONE]" && !json.Valid([]byte(e[1])) {
					t.Fatalf("%T wrote the event data %q", s, e[1])
				}
			}
		}
	})
}

// splitNUL splits b at NUL bytes.
func splitNUL(b []byte) [][]byte {
	var out [][]byte
	start := 0
	for i, c := range b {
		if c == 0 {
			out = append(out, b[start:i])
			start = i + 1
		}
	}
	return append(out, b[start:])
}
