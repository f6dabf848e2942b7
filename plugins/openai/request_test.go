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
	const hello = `"messages":[{"role":"user","content":"Hello, world! How are you today?"}]}`
	for _, tc := range []struct {
		name, body, model string
		want              int64
	}{
		// 3 to prime the reply, 3 for the message, "user" 1, the text 9 tokens (o200k_base) or 32 bytes / 4.
		{"OpenAI model: tokenized", `{"model":"gpt-4o",` + hello, "", 3 + 3 + 1 + 9},
		{"request's model wins", `{"model":"llama-3.1-8b",` + hello, "gpt-4o-mini", 3 + 3 + 1 + 9},
		{"other model: approximated", `{"model":"llama-3.1-8b",` + hello, "", 3 + 3 + 1 + 8},
		{"no model: approximated", `{` + hello, "", 3 + 3 + 1 + 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := estimateTokens("chat/completions", []byte(tc.body), tc.model)
			if err != nil || got != tc.want {
				t.Errorf("estimateTokens = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
	if _, err := estimateTokens("chat/completions", []byte(`{`), ""); err == nil {
		t.Error("estimateTokens(invalid JSON) succeeded; want an error")
	}
}
