package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// apiError is an error as the client sees it, in OpenAI's shape:
// {"error":{"message":…,"type":…,"code":…}}.
type apiError struct {
	status  int
	typ     string
	code    string
	message string
	// retryAfter, when set, is sent as Retry-After.
	retryAfter time.Time
	// explanation, when set, is sent as x-apikeyrouter-explanation.
	explanation string
}

// Error types, as OpenAI names them.
const (
	typeInvalidRequest = "invalid_request_error"
	typeAuthentication = "authentication_error"
	typePermission     = "permission_error"
	typeNotFound       = "not_found_error"
	typeRateLimit      = "rate_limit_error"
	typeQuota          = "insufficient_quota"
	typeServer         = "server_error"
	typeUpstream       = "upstream_error"
)

func (e *apiError) write(w http.ResponseWriter) {
	e.writeHeader(w)
	body, _ := json.Marshal(map[string]any{"error": map[string]any{"message": e.message, "type": e.typ, "code": e.code}})
	w.Write(append(body, '\n'))
}

// writeHeader writes the error's status and headers, the same in every
// client API's shape. It bounds the message and the explanation first
// (both write methods call it before the body): they may quote what the
// client sent, a 200 KB id say, and need not send it back whole.
func (e *apiError) writeHeader(w http.ResponseWriter) {
	e.message, e.explanation = bounded(e.message), bounded(e.explanation)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if !e.retryAfter.IsZero() {
		secs := int64(time.Until(e.retryAfter)/time.Second) + 1
		h.Set("Retry-After", strconv.FormatInt(max(secs, 1), 10))
	}
	if e.explanation != "" {
		h.Set(headerExplanation, e.explanation)
	}
	w.WriteHeader(e.status)
}

// clientRoutes are the paths of the client API (and health), with the
// methods each serves, as Allow lists them.
var clientRoutes = [...]struct{ path, allow string }{
	{"/v1/chat/completions", "POST"}, {"/v1/completions", "POST"}, {"/v1/embeddings", "POST"}, {"/v1/messages", "POST"},
	{"/v1/models", "GET, HEAD"}, {"/healthz", "GET, HEAD"}, {"/readyz", "GET, HEAD"}, {"/metrics", "GET, HEAD"},
}

// clientMethodNotAllowed answers a client route asked with a method it does not
// serve: 405 with Allow.
func clientMethodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeRouteError(w, r, &apiError{status: http.StatusMethodNotAllowed, typ: typeInvalidRequest, code: "method_not_allowed",
			message: r.Method + " is not allowed on " + r.URL.Path + " (allowed: " + allow + ")"})
	}
}

// notFound answers a path no route serves.
func notFound(w http.ResponseWriter, r *http.Request) {
	writeRouteError(w, r, &apiError{status: http.StatusNotFound, typ: typeNotFound, code: "not_found",
		message: "no route for " + r.Method + " " + r.URL.Path})
}

// writeRouteError writes an error about the route itself, in Anthropic's
// shape under /v1/messages, else OpenAI's.
func writeRouteError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if p := r.URL.Path; p == "/v1/messages" || strings.HasPrefix(p, "/v1/messages/") {
		e.writeAnthropic(w)
		return
	}
	e.write(w)
}

func badRequest(code, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: typeInvalidRequest, code: code, message: msg}
}

// errorFor maps an error from the router to what the client sees. This is
// the one place codes become HTTP statuses (the table is in README.md).
func errorFor(err error) *apiError {
	var refusal *router.Refusal
	var upstream *router.UpstreamError
	switch {
	case errors.As(err, &refusal):
		e := &apiError{message: refusal.Message, code: refusal.Code.String(), retryAfter: refusal.RetryAt, explanation: refusal.Message}
		switch refusal.Code {
		case abi.UnknownModel:
			e.status, e.typ, e.code = http.StatusNotFound, typeInvalidRequest, "model_not_found"
		case abi.ModelNotAllowed:
			e.status, e.typ = http.StatusForbidden, typePermission
		case abi.ClientRateLimited:
			e.status, e.typ = http.StatusTooManyRequests, typeRateLimit
		case abi.BudgetExceeded:
			e.status, e.typ = http.StatusTooManyRequests, typeQuota
		case abi.NoEligibleKeys:
			e.status, e.typ = http.StatusServiceUnavailable, typeServer
		case abi.ContextExceeded:
			e.status, e.typ, e.code = http.StatusBadRequest, typeInvalidRequest, "context_length_exceeded"
		case abi.InvalidArgument, abi.UnknownClient:
			e.status, e.typ = http.StatusBadRequest, typeInvalidRequest
		default:
			e.status, e.typ, e.message = http.StatusInternalServerError, typeServer, "internal error"
		}
		return e
	case errors.Is(err, router.ErrUnavailable):
		return &apiError{status: http.StatusServiceUnavailable, typ: typeServer, code: "state_unavailable",
			message: "the router cannot record state (its data directory is failing); nothing was sent upstream"}
	case errors.As(err, &upstream):
		status := http.StatusBadGateway
		if upstream.Result == abi.Timeout {
			status = http.StatusGatewayTimeout
		}
		msg := "no provider answered after "
		if errors.Is(err, router.ErrAnswerBroke) {
			msg = "the provider's answer broke off, after "
		}
		return &apiError{status: status, typ: typeUpstream, code: "upstream_unavailable",
			message: msg + strconv.Itoa(upstream.Attempts) + " attempt(s): " + upstream.Result.String()}
	case errors.Is(err, context.DeadlineExceeded):
		return &apiError{status: http.StatusGatewayTimeout, typ: typeUpstream, code: "upstream_unavailable",
			message: "no provider answered within the request timeout (APIKEYROUTER_REQUEST_TIMEOUT)"}
	}
	return &apiError{status: http.StatusInternalServerError, typ: typeServer, code: "internal_error", message: "internal error"}
}

// maxMessage bounds an error's message and explanation, in bytes.
const maxMessage = 1024

// bounded cuts s to at most maxMessage bytes, at a character's start,
// marking the cut with "…".
func bounded(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
