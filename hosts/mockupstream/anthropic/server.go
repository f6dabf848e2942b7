package anthropic

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxRequestBytes bounds a request body.
const maxRequestBytes = 64 << 20

// Config configures a [Server]. The zero value is ready to use.
type Config struct {
	// Models are the model ids GET /v1/models lists. Nil means
	// [DefaultModels].
	Models []string
	// Now is the clock of the rate-limit reset headers and the Date
	// header. Nil means time.Now.
	Now func() time.Time
}

// DefaultModels are the models a [Server] lists when [Config.Models] is
// nil.
var DefaultModels = []string{"claude-haiku-4-5", "claude-sonnet-4-5"}

// Fault makes one key's requests fail. The zero value is no fault.
type Fault struct {
	// Status, when non-zero, answers every request with this status and
	// an Anthropic error body of Type: 429 rate_limit_error, 529
	// overloaded_error, 401 authentication_error …
	Status int
	// Type is the error's type; empty means api_error.
	Type string
	// RetryAfter, when non-zero, is sent as retry-after, in whole seconds
	// rounded up.
	RetryAfter time.Duration
}

// Server is a mock Anthropic Messages API, an http.Handler for
// httptest.NewServer or http.Server. It is safe for concurrent use.
type Server struct {
	cfg Config
	mux *http.ServeMux

	mu       sync.Mutex // guards faults and requests
	faults   map[string]Fault
	requests map[string]int64
}

// New returns a server configured by cfg.
func New(cfg Config) *Server {
	if cfg.Models == nil {
		cfg.Models = DefaultModels
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), faults: map[string]Fault{}, requests: map[string]int64{}}
	s.mux.HandleFunc("POST /v1/messages", s.api(s.messages))
	s.mux.HandleFunc("GET /v1/models", s.api(s.models))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// SetFault makes the key with this secret fail as f says; the zero Fault
// clears it.
func (s *Server) SetFault(secret string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[secret] = f
}

// Requests returns how many requests the key with this secret made.
func (s *Server) Requests(secret string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[secret]
}

// api authenticates a request, counts it, applies the key's fault and
// rate-limit headers, then lets handle answer.
func (s *Server) api(handle func(w http.ResponseWriter, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		secret := r.Header.Get("X-Api-Key")
		if secret == "" {
			writeError(w, http.StatusUnauthorized, "authentication_error", "x-api-key header is required")
			return
		}
		if r.Header.Get("Anthropic-Version") == "" {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "anthropic-version: header is required")
			return
		}
		s.mu.Lock()
		s.requests[secret]++
		n, f := s.requests[secret], s.faults[secret]
		s.mu.Unlock()
		now := s.cfg.Now()
		h := w.Header()
		h.Set("Date", now.UTC().Format(http.TimeFormat))
		h.Set("Request-Id", "req_mock_"+strconv.FormatInt(n, 10))
		reset := now.Add(time.Minute).UTC().Format(time.RFC3339)
		h.Set("Anthropic-Ratelimit-Requests-Limit", "1000000")
		h.Set("Anthropic-Ratelimit-Requests-Remaining", strconv.FormatInt(max(1_000_000-n, 0), 10))
		h.Set("Anthropic-Ratelimit-Requests-Reset", reset)
		if f.Status != 0 {
			if f.RetryAfter > 0 {
				h.Set("Retry-After", strconv.FormatInt(int64((f.RetryAfter+time.Second-1)/time.Second), 10))
			}
			typ := f.Type
			if typ == "" {
				typ = "api_error"
			}
			writeError(w, f.Status, typ, "mock fault")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "request_too_large", "request body too large")
			return
		}
		handle(w, body)
	}
}

// errorBody is an Anthropic error answer.
type errorBody struct {
	Type  string `json:"type"` // "error"
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError writes an Anthropic error answer.
func writeError(w http.ResponseWriter, status int, typ, msg string) {
	e := errorBody{Type: "error"}
	e.Error.Type, e.Error.Message = typ, msg
	writeJSON(w, status, e)
}

// writeJSON writes v as a JSON answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// Interface guards
var _ http.Handler = (*Server)(nil)
