package mockupstream_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

func TestRecorder(t *testing.T) {
	mock := mockupstream.New(mockupstream.Config{})
	rec := mockupstream.NewRecorder(mock)
	srv := httptest.NewServer(rec)
	defer srv.Close()
	defer mock.Close()

	body := `{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions", io.NopCloser(strings.NewReader(body)))
	req.Header.Set("Authorization", "Bearer sk-rec")
	req.Header.Set("X-Forwarded-For", "10.0.0.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || mock.Requests("sk-rec") != 1 {
		t.Fatalf("the wrapped server did not answer: %d", resp.StatusCode)
	}
	got := rec.Requests()
	if len(got) != 1 {
		t.Fatalf("recorded %d requests, want 1", len(got))
	}
	r := got[0]
	if r.Method != "POST" || r.Path != "/v1/chat/completions" || r.Header.Get("X-Forwarded-For") != "10.0.0.1" ||
		r.Header.Get("Authorization") != "Bearer sk-rec" || len(r.TransferEncoding) != 1 || r.TransferEncoding[0] != "chunked" {
		t.Fatalf("recorded %+v", r)
	}
	got[0].Header.Set("X-Forwarded-For", "changed")
	if rec.Requests()[0].Header.Get("X-Forwarded-For") != "10.0.0.1" {
		t.Fatal("Requests returned the recorder's own headers, not a copy")
	}
}
