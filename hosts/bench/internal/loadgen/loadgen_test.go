package loadgen

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer k" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request headers", http.StatusBadRequest)
			return
		}
		if b, _ := io.ReadAll(r.Body); string(b) != `{"a":1}` {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Apikeyrouter-Overhead-Us", "42")
		io.WriteString(w, `{"ok":true}`)
	})
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i := range 3 {
			io.WriteString(w, "data: "+strings.Repeat("x", i+1)+"\n\n")
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusServiceUnavailable)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, tc := range []struct {
		path             string
		conns            int
		requests, errors uint64
		body             int64
		overhead         time.Duration
	}{
		{"/json", 4, 200, 0, int64(len(`{"ok":true}`)), 42 * time.Microsecond},
		{"/stream", 2, 50, 0, int64(len("data: x\n\ndata: xx\n\ndata: xxx\n\n")), 0},
		{"/fail", 1, 0, 10, 0, 0},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res, err := Run(Config{URL: srv.URL + tc.path, Header: []string{"Authorization: Bearer k"}, Body: []byte(`{"a":1}`),
				Conns: tc.conns, Duration: 10 * time.Second, Requests: tc.requests + tc.errors})
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests != tc.requests || res.Errors != tc.errors {
				t.Fatalf("%d answers, %d errors (%s); want %d, %d", res.Requests, res.Errors, res.FirstError, tc.requests, tc.errors)
			}
			if tc.requests == 0 {
				return
			}
			if res.BodyMin != tc.body || res.BodyMax != tc.body {
				t.Errorf("bodies of %d to %d bytes, want %d", res.BodyMin, res.BodyMax, tc.body)
			}
			if res.Latency.Count() != tc.requests || res.TTFB.Count() != tc.requests || res.TTFB.Max() > res.Latency.Max() {
				t.Errorf("latency %d (max %v), ttfb %d (max %v)", res.Latency.Count(), res.Latency.Max(), res.TTFB.Count(), res.TTFB.Max())
			}
			if tc.overhead > 0 && (res.Overhead.Count() != tc.requests || res.Overhead.Max() != tc.overhead) {
				t.Errorf("overhead: %d values, max %v", res.Overhead.Count(), res.Overhead.Max())
			}
		})
	}
}

func TestConfig(t *testing.T) {
	for _, cfg := range []Config{
		{URL: "https://example.com/", Duration: time.Second},
		{URL: "http://127.0.0.1:1/", Duration: 0},
		{URL: "http://127.0.0.1:1/", Duration: time.Second, Conns: maxConns + 1},
		{URL: "http://127.0.0.1:1/", Duration: time.Second, Header: []string{"no colon"}},
		{URL: "http://127.0.0.1:1/", Duration: time.Second, Header: []string{"X: a\r\nY: b"}},
	} {
		if _, err := Run(cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}
