package mockupstream

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxRequestBytes bounds a request body.
const maxRequestBytes = 64 << 20

// Server is a mock OpenAI-compatible upstream, an http.Handler for
// httptest.NewServer or http.Server. It is safe for concurrent use.
//
// It answers POST /v1/chat/completions (JSON or SSE), /v1/completions,
// /v1/embeddings and GET /v1/models deterministically (see the package
// doc), sends x-ratelimit-* headers on every answer, and injects per-key
// faults. Keys are bearer secrets: any non-empty one is accepted.
//
// Admin endpoints (no auth) let other processes steer it:
//
//	PUT    /mock/faults/{secret}    body: a Fault as JSON → 204
//	DELETE /mock/faults/{secret}    → 204
//	GET    /mock/requests/{secret}  → {"requests": N}
type Server struct {
	cfg Config
	mux *http.ServeMux

	limitReqs   []string // x-ratelimit-limit-requests, formatted once
	limitTokens []string
	models      []byte // the GET /v1/models body

	mu   sync.RWMutex // guards keys
	keys map[string]*key

	closeOnce sync.Once
	closed    chan struct{} // closed by Close: stalled answers end
}

// New returns a server configured by cfg.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:         cfg,
		mux:         http.NewServeMux(),
		limitReqs:   []string{strconv.FormatInt(cfg.RequestsPerMinute, 10)},
		limitTokens: []string{strconv.FormatInt(cfg.TokensPerMinute, 10)},
		models:      modelsBody(cfg.Models),
		keys:        make(map[string]*key),
		closed:      make(chan struct{}),
	}
	for secret, f := range cfg.Faults {
		s.SetFault(secret, f)
	}
	s.mux.HandleFunc("POST /v1/chat/completions", s.api(buildChat))
	s.mux.HandleFunc("POST /v1/completions", s.api(buildCompletion))
	s.mux.HandleFunc("POST /v1/embeddings", s.api(s.buildEmbeddings))
	s.mux.HandleFunc("GET /v1/models", s.api(s.buildModels))
	s.mux.HandleFunc("PUT /mock/faults/{secret}", s.putFault)
	s.mux.HandleFunc("DELETE /mock/faults/{secret}", s.deleteFault)
	s.mux.HandleFunc("GET /mock/requests/{secret}", s.getRequests)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// SetFault makes the key with this secret fail as f says, replacing its
// previous fault.
func (s *Server) SetFault(secret string, f Fault) { s.key(secret).setFault(f) }

// ClearFault lets the key with this secret answer normally again.
func (s *Server) ClearFault(secret string) { s.SetFault(secret, Fault{}) }

// Requests returns how many API requests arrived with this secret,
// faulted and rejected ones included.
func (s *Server) Requests(secret string) int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if k := s.keys[secret]; k != nil {
		return k.requests.Load()
	}
	return 0
}

// Close ends every stalled answer so an enclosing http.Server can shut
// down. The server keeps answering new requests.
func (s *Server) Close() { s.closeOnce.Do(func() { close(s.closed) }) }

// key returns the state of the key with this secret, creating it.
func (s *Server) key(secret string) *key {
	s.mu.RLock()
	k := s.keys[secret]
	s.mu.RUnlock()
	if k != nil {
		return k
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if k = s.keys[secret]; k == nil {
		k = &key{}
		s.keys[secret] = k
	}
	return k
}

// builder computes an endpoint's answer from the request body into a.
type builder func(a *answer, body []byte, created int64) error

// api wraps an endpoint: it authenticates and counts the request, applies
// the key's fault, charges the rate limit and writes the answer.
func (s *Server) api(build builder) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || secret == "" {
			writeError(w, http.StatusUnauthorized, "invalid_api_key")
			return
		}
		k := s.key(secret)
		k.requests.Add(1)
		f := k.takeFault()
		ctx := r.Context()
		if f.Reset == BeforeHeaders {
			resetConnection(w)
			return
		}
		if !s.wait(ctx, f.HeaderDelay) {
			return
		}
		if f.Stall == BeforeHeaders {
			s.stall(ctx)
			return
		}
		if f.Status != 0 {
			win, _ := k.admit(s.cfg.Now(), 0, s.cfg.RequestsPerMinute, s.cfg.TokensPerMinute)
			s.setRateLimitHeaders(w.Header(), win)
			setRetryAfter(w.Header(), f.RetryAfter, f.RetryAfterMillis)
			writeError(w, f.Status, f.ErrorCode)
			return
		}

		a := getAnswer()
		defer putAnswer(a)
		if err := readBody(w, r, &a.req); err != nil {
			writeError(w, http.StatusBadRequest, "")
			return
		}
		now := s.cfg.Now()
		if err := build(a, a.req.Bytes(), now.Unix()); err != nil {
			writeError(w, http.StatusBadRequest, "")
			return
		}
		win, admitted := k.admit(now, a.tokens, s.cfg.RequestsPerMinute, s.cfg.TokensPerMinute)
		s.setRateLimitHeaders(w.Header(), win)
		if !admitted {
			setRetryAfter(w.Header(), win.reset, false)
			writeError(w, http.StatusTooManyRequests, "")
			return
		}
		s.write(ctx, w, a, f)
	}
}

// write sends a computed answer, with the fault's delays, stalls, resets and
// damage.
func (s *Server) write(ctx context.Context, w http.ResponseWriter, a *answer, f Fault) {
	rc := http.NewResponseController(w)
	h := w.Header()
	if !a.stream {
		h["Content-Type"] = contentTypeJSON
		body := a.out
		if f.Malformed || f.Stall == MidStream || f.Reset == MidStream {
			body = body[:len(body)/2]
		} else {
			h["Content-Length"] = []string{strconv.Itoa(len(body))}
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		s.interrupt(ctx, w, rc, f)
		return
	}
	h["Content-Type"] = contentTypeSSE
	h["Cache-Control"] = noCache
	w.WriteHeader(http.StatusOK)
	start := 0
	for i, end := range a.ends {
		if i > 0 && !s.wait(ctx, f.ChunkDelay) {
			return
		}
		event := a.out[start:end]
		if i == 1 && f.Malformed {
			event = malformedEvent
		}
		if _, err := w.Write(event); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
		start = end
		if i == 0 && s.interrupt(ctx, w, rc, f) {
			return
		}
	}
}

// interrupt carries out a mid-stream stall or reset, after flushing what
// was written. It reports whether the answer was interrupted.
func (s *Server) interrupt(ctx context.Context, w http.ResponseWriter, rc *http.ResponseController, f Fault) bool {
	switch {
	case f.Reset == MidStream:
		_ = rc.Flush()
		resetConnection(w)
	case f.Stall == MidStream:
		_ = rc.Flush()
		s.stall(ctx)
	default:
		return false
	}
	return true
}

// wait waits d; it returns false if the client went away or the server
// closed first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.closed:
	}
	return false
}

// stall waits until the client goes away or the server closes.
func (s *Server) stall(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-s.closed:
	}
}

// resetConnection closes the client's connection with a TCP reset, or
// aborts the answer where the connection cannot be taken over (HTTP/2).
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // close sends RST instead of FIN
	}
	_ = conn.Close()
}

// readBody reads the request body, bounded, into buf.
func readBody(w http.ResponseWriter, r *http.Request, buf *bytes.Buffer) error {
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	return err
}

// setRateLimitHeaders reports win in OpenAI's x-ratelimit-* headers.
func (s *Server) setRateLimitHeaders(h http.Header, win window) {
	reset := []string{formatReset(win.reset)}
	h["X-Ratelimit-Limit-Requests"] = s.limitReqs
	h["X-Ratelimit-Remaining-Requests"] = []string{strconv.FormatInt(win.remainingReqs, 10)}
	h["X-Ratelimit-Reset-Requests"] = reset
	h["X-Ratelimit-Limit-Tokens"] = s.limitTokens
	h["X-Ratelimit-Remaining-Tokens"] = []string{strconv.FormatInt(win.remainingTokens, 10)}
	h["X-Ratelimit-Reset-Tokens"] = reset
}

// formatReset writes a reset the way OpenAI does: a Go-style duration
// ("6m0s", "59.5s", "120ms"), to the millisecond.
func formatReset(d time.Duration) string {
	return max(d, 0).Round(time.Millisecond).String()
}

// setRetryAfter sends d as retry-after in whole seconds (rounded up), or as
// retry-after-ms; nothing if d is zero.
func setRetryAfter(h http.Header, d time.Duration, millis bool) {
	switch {
	case d <= 0:
	case millis:
		h["Retry-After-Ms"] = []string{strconv.FormatInt(d.Milliseconds(), 10)}
	default:
		h["Retry-After"] = []string{strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)}
	}
}

func (s *Server) putFault(w http.ResponseWriter, r *http.Request) {
	var f Fault
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&f); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.SetFault(r.PathValue("secret"), f)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteFault(w http.ResponseWriter, r *http.Request) {
	s.ClearFault(r.PathValue("secret"))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getRequests(w http.ResponseWriter, r *http.Request) {
	w.Header()["Content-Type"] = contentTypeJSON
	_, _ = io.WriteString(w, `{"requests":`+strconv.FormatInt(s.Requests(r.PathValue("secret")), 10)+"}\n")
}

// Interface guards
var _ http.Handler = (*Server)(nil)
