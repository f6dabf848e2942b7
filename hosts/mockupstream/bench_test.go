package mockupstream_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// discard is a ResponseWriter that drops the answer and reuses its header.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Flush()                      {}

// body is a request body that can be replayed.
type body struct{ *bytes.Reader }

func (body) Close() error { return nil }

// BenchmarkServeHTTP measures the mock's own cost per answer, without the
// network:
//
//	go test -run '^$' -bench BenchmarkServeHTTP -benchmem ./hosts/mockupstream
func BenchmarkServeHTTP(b *testing.B) {
	for _, bc := range []struct{ name, path, body string }{
		{"chat", "/v1/chat/completions", `{"model":"mock-gpt","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello to the benchmark, please."}]}`},
		{"chat_stream", "/v1/chat/completions", `{"model":"mock-gpt","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello to the benchmark, please."}]}`},
		{"embeddings", "/v1/embeddings", `{"model":"mock-embed","input":["one","two","three"]}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			mock := mockupstream.New(mockupstream.Config{})
			r := bytes.NewReader([]byte(bc.body))
			req := httptest.NewRequest(http.MethodPost, bc.path, body{r})
			req.Header.Set("Authorization", "Bearer sk-bench")
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				r.Seek(0, 0)
				clear(w.h)
				mock.ServeHTTP(w, req)
			}
		})
	}
}
