package mockupstream

import (
	"net/http"
	"slices"
	"sync"
)

// Recorder is an http.Handler that records what arrived with each request
// — method, path, headers, transfer encoding — before passing it to the
// handler it wraps. Tests use it to check what a proxy forwards upstream:
// no client credentials, no hop-by-hop or forwarding headers. It is safe
// for concurrent use.
//
//	mock := mockupstream.New(mockupstream.Config{})
//	rec := mockupstream.NewRecorder(mock)
//	srv := httptest.NewServer(rec)
//	… // requests through the proxy
//	for _, r := range rec.Requests() { … r.Header.Get("X-Forwarded-For") … }
type Recorder struct {
	next http.Handler

	mu   sync.Mutex
	reqs []Recorded
}

// Recorded is one request as a [Recorder] saw it.
type Recorded struct {
	Method, Path string
	// Header is the request's header, as the server parsed it (Host and
	// Transfer-Encoding are not in it: see Host and TransferEncoding).
	Header           http.Header
	Host             string
	TransferEncoding []string
}

// NewRecorder returns a Recorder in front of next.
func NewRecorder(next http.Handler) *Recorder { return &Recorder{next: next} }

// ServeHTTP records r, then lets the wrapped handler answer it.
func (rec *Recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, Recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(),
		Host: r.Host, TransferEncoding: slices.Clone(r.TransferEncoding)})
	rec.mu.Unlock()
	rec.next.ServeHTTP(w, r)
}

// Requests returns copies of the requests recorded so far, oldest first.
func (rec *Recorder) Requests() []Recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := slices.Clone(rec.reqs)
	for i := range out {
		out[i].Header = out[i].Header.Clone()
	}
	return out
}

// Interface guards
var _ http.Handler = (*Recorder)(nil)
