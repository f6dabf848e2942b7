package openai

import (
	"bytes"
	"testing"
)

func TestPrepareBody(t *testing.T) {
	for _, tc := range []struct {
		name, in, model, want string
		stream, hide          bool
	}{
		{name: "unchanged", in: `{"model":"gpt-4o", "messages":[] }`, want: `{"model":"gpt-4o", "messages":[] }`},
		{name: "same model unchanged", in: `{"model":"gpt-4o","messages":[]}`, model: "gpt-4o", want: `{"model":"gpt-4o","messages":[]}`},
		{name: "model replaced in place", in: `{"messages":[], "model" : "alias",  "n":1}`, model: "openai/gpt-4o",
			want: `{"messages":[], "model" : "openai/gpt-4o",  "n":1}`},
		{name: "model added", in: `{"messages":[]}`, model: "m", want: `{"messages":[],"model":"m"}`},
		{name: "stream gets usage", in: `{"model":"m","stream":true}`, stream: true, hide: true,
			want: `{"model":"m","stream":true,"stream_options":{"include_usage":true}}`},
		{name: "stream options kept", in: `{"stream":true,"stream_options":{"x":1}}`, stream: true, hide: true,
			want: `{"stream":true,"stream_options":{"x":1,"include_usage":true}}`},
		{name: "usage declined is overridden and hidden", in: `{"stream":true,"stream_options":{"include_usage":false}}`, stream: true, hide: true,
			want: `{"stream":true,"stream_options":{"include_usage":true}}`},
		{name: "usage requested", in: `{"stream":true,"stream_options":{"include_usage":true}}`, stream: true,
			want: `{"stream":true,"stream_options":{"include_usage":true}}`},
		{name: "stream false", in: `{"stream":false}`, want: `{"stream":false}`},
		{name: "model and stream", in: `{"model":"a","stream":true}`, model: "b", stream: true, hide: true,
			want: `{"model":"b","stream":true,"stream_options":{"include_usage":true}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			p, err := prepareBody(in, tc.model)
			if err != nil {
				t.Fatal(err)
			}
			if string(p.body) != tc.want || p.stream != tc.stream || p.hideUsage != tc.hide {
				t.Errorf("prepareBody = %s stream=%v hide=%v; want %s stream=%v hide=%v", p.body, p.stream, p.hideUsage, tc.want, tc.stream, tc.hide)
			}
			if string(in) != tc.in {
				t.Errorf("the client's body was modified: %s", in)
			}
			again, _ := prepareBody(in, tc.model)
			if !bytes.Equal(again.body, p.body) {
				t.Errorf("not idempotent on retry: %s then %s", p.body, again.body)
			}
		})
	}
}

func TestPrepareBodyRefuses(t *testing.T) {
	for _, in := range []string{``, `[1]`, `"s"`, `{"model":`, `{} {}`} {
		if _, err := prepareBody([]byte(in), ""); err == nil {
			t.Errorf("prepareBody(%q) succeeded; want an error", in)
		}
	}
}

func TestEstimateTokens(t *testing.T) {
	for _, tc := range []struct {
		name, endpoint, body string
		want                 int64
	}{
		// 3 to prime + per message 3 + ceil(bytes/4): "You are a helpful assistant." 28 → 7, "Hello!" 6 → 2.
		{"chat", "chat/completions", `{"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello!"}]}`, 3 + 3 + 7 + 3 + 2},
		{"chat parts and image", "chat/completions", `{"messages":[{"role":"user","content":[{"type":"text","text":"abcdefgh"},{"type":"image_url","image_url":{"url":"x"}}]}]}`, 3 + 3 + 2 + 85},
		{"chat name and tools", "chat/completions", `{"messages":[{"role":"user","name":"bob","content":""}],"tools":[{"a":1}]}`, 3 + 3 + 1 + 3},
		{"no messages", "chat/completions", `{}`, 3},
		{"completion string", "completions", `{"prompt":"Say this is a test"}`, 5},
		{"completion list", "completions", `{"prompt":["abcd","abcde"]}`, 1 + 2},
		{"completion token ids", "completions", `{"prompt":[1,2,3]}`, 3},
		{"embeddings", "embeddings", `{"input":["The food was delicious","and the waiter..."]}`, 6 + 5},
		{"embeddings token arrays", "embeddings", `{"input":[[1,2],[3]]}`, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := estimateTokens(tc.endpoint, []byte(tc.body))
			if err != nil || got != tc.want {
				t.Errorf("estimateTokens = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
	if _, err := estimateTokens("models", []byte(`{}`)); err == nil {
		t.Error("estimateTokens(models) succeeded; want an error")
	}
	if _, err := estimateTokens("chat/completions", []byte(`{`)); err == nil {
		t.Error("estimateTokens(invalid JSON) succeeded; want an error")
	}
}
