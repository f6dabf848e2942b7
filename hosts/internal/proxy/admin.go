package proxy

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// maxAdminBody bounds an admin request's body.
const maxAdminBody = 1 << 20

// admin serves the admin API under /admin/v1/ (ADMIN.md): the operator's
// view of the router and its levers.
type admin struct {
	s *Server
	// mu serialises the changes: a change reads the state, then writes it
	// (a new key's id must not be handed out twice, a patch must not undo
	// another one).
	mu sync.Mutex
}

// adminRoute is one admin endpoint.
type adminRoute struct {
	method, pattern string
	handle          http.HandlerFunc
}

func (a *admin) routes() []adminRoute {
	return []adminRoute{
		{"GET", "/admin/v1/keys", a.listKeys},
		{"POST", "/admin/v1/keys", a.createKey},
		{"GET", "/admin/v1/keys/{id}", a.getKey},
		{"PATCH", "/admin/v1/keys/{id}", a.patchKey},
		{"DELETE", "/admin/v1/keys/{id}", a.deleteKey},
		{"POST", "/admin/v1/keys/{id}/disable", a.keyCommand(abi.OpDisableKey)},
		{"POST", "/admin/v1/keys/{id}/enable", a.keyCommand(abi.OpEnableKey)},
		{"POST", "/admin/v1/keys/{id}/revoke", a.keyCommand(abi.OpRevokeKey)},
		{"POST", "/admin/v1/keys/{id}/rotate", a.rotateKey},
		{"GET", "/admin/v1/keys/{id}/quota", a.keyQuota},
		{"GET", "/admin/v1/budgets", a.listBudgets},
		{"POST", "/admin/v1/budgets", a.createBudget},
		{"GET", "/admin/v1/budgets/{id}", a.getBudget},
		{"PUT", "/admin/v1/budgets/{id}", a.putBudget},
		{"DELETE", "/admin/v1/budgets/{id}", a.deleteBudget},
		{"GET", "/admin/v1/clients", a.listClients},
		{"POST", "/admin/v1/clients", a.createClient},
		{"GET", "/admin/v1/clients/{id}", a.getClient},
		{"DELETE", "/admin/v1/clients/{id}", a.deleteClient},
		{"GET", "/admin/v1/providers", a.listProviders},
		{"GET", "/admin/v1/models", a.listModels},
		{"POST", "/admin/v1/explain", a.explain},
		{"GET", "/admin/v1/snapshot", a.snapshot},
		{"GET", "/admin/v1/health", a.health},
	}
}

// routeAdmin mounts the admin API under /admin/v1/, behind the admin token.
// A path the API has, asked with another method, answers 405 with Allow;
// any other path 404 — both after the token check, so the API's shape is
// not visible without it.
func (s *Server) routeAdmin() {
	a := &admin{s: s}
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	var patterns []string
	for _, rt := range a.routes() {
		mux.HandleFunc(rt.method+" "+rt.pattern, rt.handle)
		if allowed[rt.pattern] == nil {
			patterns = append(patterns, rt.pattern)
		}
		allowed[rt.pattern] = append(allowed[rt.pattern], rt.method)
	}
	for _, p := range patterns {
		mux.HandleFunc(p, methodNotAllowed(allowed[p]))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		(&apiError{status: http.StatusNotFound, typ: typeNotFound, code: "not_found",
			message: "no admin route for " + r.Method + " " + r.URL.Path}).write(w)
	})
	gated := a.gate(mux)
	s.mux.Handle("/admin/v1/", gated)
	// Without this, the mux would redirect /admin/v1 to /admin/v1/.
	s.mux.Handle("/admin/v1", gated)
}

// gate authenticates an admin request, bounds its body, serialises the
// changes and logs one line per request (ids and statuses only).
func (a *admin) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &adminWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			a.s.log.LogAttrs(r.Context(), slog.LevelInfo, "admin", slog.String("method", r.Method),
				slog.String("path", r.URL.Path), slog.Int("status", sw.status),
				slog.Int64("duration_us", time.Since(start).Microseconds()))
		}()
		if aerr := a.s.auth.adminOK(r); aerr != nil {
			aerr.write(sw)
			return
		}
		r.Body = http.MaxBytesReader(sw, r.Body, maxAdminBody)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			a.mu.Lock()
			defer a.mu.Unlock()
		}
		next.ServeHTTP(sw, r)
	})
}

// methodNotAllowed answers a path's other methods with 405 and Allow.
func methodNotAllowed(methods []string) http.HandlerFunc {
	allow := strings.Join(methods, ", ")
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		(&apiError{status: http.StatusMethodNotAllowed, typ: typeInvalidRequest, code: "method_not_allowed",
			message: r.Method + " is not allowed on " + r.URL.Path + " (allowed: " + allow + ")"}).write(w)
	}
}

// adminWriter remembers the status of an answer, for the log line.
type adminWriter struct {
	http.ResponseWriter
	status int
}

func (w *adminWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *adminWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Interface guards
var _ http.ResponseWriter = (*adminWriter)(nil)
