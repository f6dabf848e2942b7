package proxy

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// Config configures a [Server]. Each token is given in the clear or by its
// hash ([HashToken]), so a generated token need not be kept anywhere.
type Config struct {
	// ProxyKey, or ProxyKeyHash, is the clients' bearer token
	// (PROXY_API_KEY). One is required.
	ProxyKey, ProxyKeyHash string
	// AdminToken, or AdminTokenHash, opens the admin API
	// (APIKEYROUTER_ADMIN_TOKEN); neither keeps it closed.
	AdminToken, AdminTokenHash string
	// MaxBodyBytes bounds a request body; zero means 10 MiB.
	MaxBodyBytes int64
	// RequestTimeout bounds a call from its arrival to the end of its
	// answer; zero means 10 minutes.
	RequestTimeout time.Duration
	// BodyTimeout bounds the arrival of a request's body, with a second
	// more per 64 KiB it declares (or may have, if it declares no length),
	// and at most the server's ReadTimeout: a client that sends it slower
	// gets 408. Zero means 10 seconds.
	BodyTimeout time.Duration
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// ConfigKeys and ConfigBudgets name the keys and budgets the
	// configuration defines, each with where ("environment variable
	// OPENAI_API_KEY_1", "config file"): they are registered from there at
	// every start, so the admin API refuses to change or delete them
	// (409 defined_by_config). Nil means none. The server only reads them.
	ConfigKeys    map[abi.KeyID]string
	ConfigBudgets map[abi.BudgetID]string
}

// Defaults of [Config].
const (
	DefaultMaxBodyBytes   = 10 << 20
	DefaultRequestTimeout = 10 * time.Minute
	DefaultBodyTimeout    = 10 * time.Second
)

// Server is the OpenAI-compatible HTTP face of a [router.Router]: the
// client API under /v1, the admin API under /admin/v1, health and metrics.
type Server struct {
	cfg     Config
	router  *router.Router
	auth    *auth
	log     *slog.Logger
	metrics *metrics
	mux     *http.ServeMux
	ready   atomic.Bool
}

// New returns a server for r. It is not ready (/readyz) until SetReady.
func New(r *router.Router, cfg Config) (*Server, error) {
	if cfg.ProxyKey != "" {
		cfg.ProxyKeyHash, cfg.ProxyKey = HashToken(cfg.ProxyKey), ""
	}
	if cfg.AdminToken != "" {
		cfg.AdminTokenHash, cfg.AdminToken = HashToken(cfg.AdminToken), ""
	}
	proxyHash, ok := parseHash(cfg.ProxyKeyHash)
	if !ok {
		return nil, errors.New("proxy: a proxy key is required (ProxyKey, or ProxyKeyHash: a SHA-256 in hex)")
	}
	adminHash, adminSet := parseHash(cfg.AdminTokenHash)
	if cfg.AdminTokenHash != "" && !adminSet {
		return nil, errors.New("proxy: AdminTokenHash must be a SHA-256 in hex (see HashToken)")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, router: r, auth: newAuth(proxyHash, adminHash, adminSet), log: cfg.Logger,
		metrics: newMetrics(), mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /v1/chat/completions", s.handleCall(sdk.EndpointChatCompletions))
	s.mux.HandleFunc("POST /v1/completions", s.handleCall(sdk.EndpointCompletions))
	s.mux.HandleFunc("POST /v1/embeddings", s.handleCall(sdk.EndpointEmbeddings))
	s.mux.HandleFunc("POST /v1/messages", s.serveCall(anthropicAPI))
	s.mux.HandleFunc("GET /v1/models", s.handleModels)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /readyz", s.handleReady)
	s.mux.HandleFunc("GET /metrics", s.metrics.serve)
	for _, route := range clientRoutes {
		s.mux.HandleFunc(route.path, clientMethodNotAllowed(route.allow)) // the methods above win
	}
	s.mux.HandleFunc("/", notFound)
	s.routeAdmin()
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// SetReady marks the server ready (or not) for /readyz.
func (s *Server) SetReady(ok bool) { s.ready.Store(ok) }

func (s *Server) handleReady(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// handleModels lists the models some provider serves (only those a
// virtual client may use).
func (s *Server) handleModels(w http.ResponseWriter, req *http.Request) {
	client, aerr := s.auth.client(req)
	if aerr != nil {
		aerr.write(w)
		return
	}
	allowed := map[string]bool(nil)
	snap := s.router.Snapshot()
	for _, c := range snap.Clients {
		if c.Client.ID == client && len(c.Client.Models) > 0 {
			allowed = map[string]bool{}
			for _, m := range c.Client.Models {
				allowed[m] = true
			}
		}
	}
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	data := []model{}
	seen := map[string]bool{}
	for _, m := range snap.Models {
		if seen[m.Model.Name] || allowed != nil && !allowed[m.Model.Name] {
			continue
		}
		seen[m.Model.Name] = true
		data = append(data, model{ID: m.Model.Name, Object: "model", OwnedBy: string(m.Model.Provider)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
