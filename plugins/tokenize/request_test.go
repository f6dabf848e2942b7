package tokenize

import (
	"testing"
)

func TestRequest(t *testing.T) {
	for _, tc := range []struct {
		name, endpoint, body string
		enc                  Encoding
		want                 int64
	}{
		// 3 priming + 3 per message + role + content: "You are a helpful assistant." 28 B → 7, "Hello!" 6 B → 2.
		{"chat approximate", "chat/completions", `{"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello!"}]}`,
			Approximate, 3 + (3 + 2 + 7) + (3 + 1 + 2)},
		// o200k: "system" 1, "You are a helpful assistant." 6, "user" 1, "Hello!" 2.
		{"chat o200k", "chat/completions", `{"messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello!"}]}`,
			O200kBase, 3 + (3 + 1 + 6) + (3 + 1 + 2)},
		{"name", "chat/completions", `{"messages":[{"role":"user","name":"bob","content":""}]}`, O200kBase, 3 + 3 + 1 + 1 + 1},
		{"low-detail image", "chat/completions", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png","detail":"low"}}]}]}`,
			O200kBase, 3 + 3 + 1 + 85},
		{"image by URL", "chat/completions", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]}`,
			O200kBase, 3 + 3 + 1 + 765},
		{"deprecated functions", "chat/completions", `{"functions":[{"name":"f","description":"Do."}]}`, O200kBase, 3 + 7 + 3 + 12}, // "f:Do" is 3 tokens,
		{"no messages", "chat/completions", `{}`, O200kBase, 3},
		{"completion string", "completions", `{"prompt":"hello world"}`, O200kBase, 2},
		{"completion list", "completions", `{"prompt":["hello world","hello"]}`, O200kBase, 3},
		{"completion token ids", "completions", `{"prompt":[1,2,3]}`, O200kBase, 3},
		{"embeddings", "embeddings", `{"input":["hello world"]}`, Cl100kBase, 2},
		{"embedding token arrays", "embeddings", `{"input":[[1,2],[3]]}`, Cl100kBase, 3},
		{"embeddings approximate", "embeddings", `{"input":"abcde"}`, Approximate, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Request(tc.enc, tc.endpoint, []byte(tc.body))
			if err != nil || got != tc.want {
				t.Errorf("Request = %d, %v; want %d", got, err, tc.want)
			}
		})
	}
	if _, err := Request(O200kBase, "models", []byte(`{}`)); err == nil {
		t.Error("Request(models) succeeded; want an error")
	}
	for _, body := range []string{`{`, `[1]`, ``} {
		if _, err := Request(O200kBase, "chat/completions", []byte(body)); err != ErrNotObject {
			t.Errorf("Request(%q) error = %v; want ErrNotObject", body, err)
		}
	}
}
