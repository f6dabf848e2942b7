package proxy

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// The response headers of every routed answer (DESIGN.md §6), in the
// canonical form net/http would turn them into: setting one then costs no
// allocation.
const (
	headerKeyID       = "X-Apikeyrouter-Key-Id"
	headerProvider    = "X-Apikeyrouter-Provider"
	headerAttempts    = "X-Apikeyrouter-Attempts"
	headerCost        = "X-Apikeyrouter-Estimated-Cost-Usd"
	headerExplanation = "X-Apikeyrouter-Explanation"
	headerOverhead    = "X-Apikeyrouter-Overhead-Us"
	headerObjective   = "X-Apikeyrouter-Objective"
	headerRequestID   = "X-Request-Id"
)

// copyBuffers are the buffers answers are relayed through.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// clientAPI is what sets the client APIs the proxy serves apart: the
// provider endpoint and body format a call routes with, how a client
// presents its key, which body fields bound the answer, and the shape of
// errors. Everything else — routing, failover, relaying, the router's
// headers, the log line — is the same for all.
type clientAPI struct {
	endpoint, format string
	// fields are the body fields the proxy reads: "model", "stream", then
	// the bounds fields that bound the answer's tokens, then the choices
	// fields that ask for several answers (the largest of each counts).
	fields          []string
	bounds, choices int
	// authenticate returns the client making the request.
	authenticate func(*auth, *http.Request) (abi.ClientID, *apiError)
	// writeError writes an error in the API's shape.
	writeError func(*apiError, http.ResponseWriter)
	// streamError, if set, is the event a stream that broke off ends with
	// before the connection is aborted.
	streamError []byte
}

// openAIAPI is OpenAI's API on one of its endpoints: bearer keys, errors
// {"error":{"message","type","code"}}.
func openAIAPI(endpoint string) clientAPI {
	api := clientAPI{endpoint: endpoint, format: sdk.FormatOpenAI, fields: []string{"model", "stream", "max_tokens", "max_completion_tokens"},
		bounds: 2, authenticate: (*auth).client, writeError: (*apiError).write}
	switch endpoint {
	case sdk.EndpointChatCompletions:
		api.fields, api.choices = append(api.fields, "n"), 1
	case sdk.EndpointCompletions:
		api.fields, api.choices = append(api.fields, "n", "best_of"), 2
	}
	return api
}

// handleCall serves one OpenAI-compatible call (chat completions,
// completions, embeddings); see [Server.serveCall].
func (s *Server) handleCall(endpoint string) http.HandlerFunc {
	return s.serveCall(openAIAPI(endpoint))
}

// serveCall serves calls of a client API: authenticate, read just enough
// of the body, let the router carry it out with failover (the adapter of
// the provider chosen translates the body if it speaks another API),
// relay the answer chunk by chunk with the router's headers, and log one
// line.
func (s *Server) serveCall(api clientAPI) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		rec := &requestLog{id: requestID(req), endpoint: api.endpoint}
		w.Header().Set(headerRequestID, rec.id)
		defer func() { s.logRequest(req.Context(), rec, start) }()

		client, aerr := api.authenticate(s.auth, req)
		if aerr != nil {
			api.writeError(rec.fail(aerr), w)
			return
		}
		rec.client = string(client)
		call, aerr := s.readCall(w, req, api)
		if aerr != nil {
			api.writeError(rec.fail(aerr), w)
			return
		}
		call.Client = client
		rec.model, rec.stream = call.Model, call.stream

		ctx, cancel := context.WithTimeout(req.Context(), s.cfg.RequestTimeout)
		defer cancel()
		doStart := time.Now()
		ans, err := s.router.Do(ctx, call.Call)
		if err != nil {
			var upstream *router.UpstreamError
			if errors.As(err, &upstream) {
				rec.attempts, rec.key, rec.provider = upstream.Attempts, string(upstream.Key), string(upstream.Provider)
				rec.cost = upstream.Charged
			}
			if errors.Is(err, context.Canceled) && req.Context().Err() != nil {
				rec.status, rec.code = statusClientClosed, "client_closed_request"
				return
			}
			api.writeError(rec.fail(errorFor(err)), w)
			return
		}
		upstreamWait := time.Since(doStart) - ans.Overhead
		d := ans.Decision
		rec.key, rec.provider, rec.attempts, rec.status = string(d.Key), string(d.Provider), ans.Attempts, ans.Status
		rec.inputEstimate = ans.InputTokens
		if ans.Status < 100 || ans.Status > 599 {
			// The router fails over on such an answer; should one get
			// through, WriteHeader would panic on it (0) or send it on (999).
			ans.Body.Close()
			api.writeError(rec.fail(&apiError{status: http.StatusBadGateway, typ: typeUpstream, code: "upstream_unavailable",
				message: "the provider's answer has no valid HTTP status"}), w)
			return
		}

		h := w.Header()
		stream := strings.HasPrefix(ans.Header.Get("Content-Type"), "text/event-stream")
		forwardHeaders(h, ans.Header, ans.Status, stream)
		overhead := time.Since(start) - upstreamWait
		rec.overhead = overhead
		// The router's headers (canonical names) share one array of values.
		v := [...]string{string(d.Key), string(d.Provider), strconv.Itoa(ans.Attempts), usd(d.EstimatedCost),
			string(d.Explanation), strconv.FormatInt(overhead.Microseconds(), 10)}
		vs := v[:]
		h[headerKeyID], h[headerProvider], h[headerAttempts] = vs[0:1:1], vs[1:2:2], vs[2:3:3]
		h[headerCost], h[headerExplanation], h[headerOverhead] = vs[3:4:4], vs[4:5:5], vs[5:6:6]
		w.WriteHeader(ans.Status)
		// A client that hangs up does not cut the accounting short: the
		// answer gets a moment to end (its usage comes last), then it is
		// closed.
		hangup := context.AfterFunc(req.Context(), func() { time.AfterFunc(hangupGrace, func() { ans.Body.Close() }) })
		end := relay(w, ans.Body, stream)
		if end != relayed && req.Context().Err() != nil {
			end = clientGone // its hang-up is what cut the answer short
		}
		switch _, sized := h["Content-Length"]; {
		case end == relayed && sized:
			// The client has the whole answer once it is flushed: it need
			// not wait for the accounting and the log line.
			_ = http.NewResponseController(w).Flush()
		case end == brokeOff && stream && api.streamError != nil:
			// Tell the client in its API's terms before the abort.
			if _, err := w.Write(api.streamError); err == nil {
				_ = http.NewResponseController(w).Flush()
			}
		}
		hangup()
		ans.Body.Close()
		outcome, fx := ans.Settled()
		rec.usage, rec.cost, rec.result = outcome.Usage, fx.Cost+ans.Charged, outcome.Result
		s.metrics.observe(overhead)
		switch end {
		case clientGone:
			rec.status, rec.code = statusClientClosed, "client_closed_request"
		case brokeOff:
			// The provider's answer broke off: abort the response, as
			// httputil.ReverseProxy does, so the client sees an error
			// rather than a shorter answer that looks complete.
			rec.code = "upstream_broke_off" // logged by the deferred line
			panic(http.ErrAbortHandler)
		}
	}
}

// statusClientClosed is the status logged for a client that went away
// before its answer ended (nginx's 499).
const statusClientClosed = 499

// forwardHeaders copies the provider's headers a client should see. Rate
// limits, organisations and cookies describe one key of the pool, not the
// router, and stay behind. Content-Length, which an adapter keeps only when
// the body passes unchanged, comes along unless the answer is a stream.
func forwardHeaders(dst, src http.Header, status int, stream bool) {
	for _, k := range [...]string{"Content-Type", "Cache-Control", "Content-Language"} {
		if v, ok := src[k]; ok {
			dst[k] = v
		}
	}
	if v, ok := src["Content-Length"]; ok && !stream {
		dst["Content-Length"] = v
	}
	if v, ok := src["Retry-After"]; ok && status >= 400 {
		dst["Retry-After"] = v
	}
}

// hangupGrace is how long an answer may go on after its client hung up,
// for its usage to arrive.
const hangupGrace = 2 * time.Second

// relayEnd is how a relay ended.
type relayEnd uint8

const (
	relayed    relayEnd = iota // the whole answer was written
	brokeOff                   // the answer broke off while the client was there
	clientGone                 // the client went away first (a write failed, or its request ended)
)

// relay copies an answer to the client as it arrives; a stream is flushed
// chunk by chunk. What comes with the error that breaks an answer off is
// not written: adapters hold a stream's clean ending (message_stop,
// "[DONE]") to send it with the end, and after a failure it would be a
// lie. When the client goes away it reads on without writing, until the
// answer ends or is closed (see hangupGrace).
func relay(w http.ResponseWriter, body io.Reader, stream bool) relayEnd {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	rc := http.NewResponseController(w)
	gone := false
	for {
		n, err := body.Read(buf)
		if n > 0 && !gone && (err == nil || err == io.EOF) {
			_, werr := w.Write(buf[:n])
			if werr == nil && stream {
				werr = rc.Flush()
			}
			gone = werr != nil
		}
		switch {
		case err == nil:
		case gone:
			return clientGone
		case err == io.EOF:
			return relayed
		default:
			return brokeOff
		}
	}
}

// clientCall is a call read from a client request.
type clientCall struct {
	router.Call
	stream bool
}

// readCall checks and reads a call's body: JSON, within the size limit,
// with a model.
func (s *Server) readCall(w http.ResponseWriter, req *http.Request, api clientAPI) (*clientCall, *apiError) {
	if mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, &apiError{status: http.StatusUnsupportedMediaType, typ: typeInvalidRequest, code: "unsupported_media_type",
			message: "the request body must be JSON (Content-Type: application/json)"}
	}
	wait := s.bodyWait(req)
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(wait))
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return nil, &apiError{status: http.StatusRequestEntityTooLarge, typ: typeInvalidRequest, code: "request_too_large",
				message: "the request body exceeds " + strconv.FormatInt(s.cfg.MaxBodyBytes, 10) + " bytes (APIKEYROUTER_MAX_BODY_BYTES)"}
		case errors.Is(err, os.ErrDeadlineExceeded):
			return nil, &apiError{status: http.StatusRequestTimeout, typ: typeInvalidRequest, code: "request_timeout",
				message: "the request body did not arrive within " + wait.Round(time.Millisecond).String()}
		}
		return nil, badRequest("unreadable_body", "could not read the request body")
	}
	// Checked before anything parses the body: gjson recurses per level of
	// nesting, and a key given twice would be read here as its first
	// occurrence but by the provider as its last.
	if err := translate.CheckObject(body); err != nil {
		return nil, badRequest("invalid_json", bodyError(err))
	}
	fields := gjson.GetManyBytes(body, api.fields...)
	model := fields[0]
	if model.Type != gjson.String || model.Str == "" {
		return nil, badRequest("missing_model", `the request needs a "model" string`)
	}
	c := &clientCall{Call: router.Call{Endpoint: api.endpoint, Format: api.format, Model: model.Str, Body: body,
		Objective: req.Header.Get(headerObjective)}}
	c.stream = fields[1].Bool()
	// The largest bound and count count: a budget reserves for the worst.
	for i := 2; i < 2+api.bounds; i++ {
		n, aerr := tokenBound(api.fields[i], fields[i])
		if aerr != nil {
			return nil, aerr
		}
		c.MaxOutputTokens = max(c.MaxOutputTokens, n)
	}
	for i := 2 + api.bounds; i < 2+api.bounds+api.choices; i++ {
		n, aerr := answerCount(api.fields[i], fields[i])
		if aerr != nil {
			return nil, aerr
		}
		c.Choices = max(c.Choices, n)
	}
	if c.Objective != "" {
		if err := checkObjective(c.Objective); err != nil {
			return nil, badRequest("invalid_objective", headerObjectiveName+": "+err.Error())
		}
	}
	return c, nil
}

// bodyRate is the slowest a request body may arrive, beyond
// Config.BodyTimeout: 64 KiB a second.
const bodyRate = 64 << 10

// bodyWait is how long req's body may take to arrive (see
// Config.BodyTimeout): once it has, net/http lifts the deadline, so the
// answer may take as long as it takes. A slow body would otherwise hold
// its connection and goroutine until the server's ReadTimeout.
func (s *Server) bodyWait(req *http.Request) time.Duration {
	n := s.cfg.MaxBodyBytes
	if req.ContentLength >= 0 {
		n = min(req.ContentLength, n)
	}
	d := s.cfg.BodyTimeout + time.Duration(n)*time.Second/bodyRate
	if srv, ok := req.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.ReadTimeout > 0 {
		d = min(d, srv.ReadTimeout)
	}
	return d
}

// bodyError says why a request body is refused, for [translate.CheckObject]'s error.
func bodyError(err error) string {
	var dup *translate.DuplicateKeyError
	switch {
	case errors.As(err, &dup):
		return "the request body has a " + strings.TrimPrefix(dup.Error(), "translate: ")
	case errors.Is(err, translate.ErrTooDeep):
		return "the request body nests arrays and objects deeper than " + strconv.Itoa(translate.MaxDepth) + " levels"
	}
	return "the request body is not a JSON object"
}

// tokenBound reads a field bounding the answer's tokens (max_tokens …):
// 0 if absent or null, else a count of 0..[core.MaxTokens], as the core
// takes.
func tokenBound(field string, v gjson.Result) (int64, *apiError) {
	if !v.Exists() || v.Type == gjson.Null {
		return 0, nil
	}
	n := v.Int() // clamped to int64
	switch {
	case n < 0 || v.Type == gjson.Number && v.Num < 0:
		return 0, badRequest("invalid_max_tokens", field+" must not be negative")
	case n > core.MaxTokens || v.Type == gjson.Number && v.Num > core.MaxTokens:
		return 0, badRequest("invalid_max_tokens", field+" must be at most "+strconv.FormatInt(core.MaxTokens, 10))
	}
	return n, nil
}

// answerCount reads a field asking for several answers (n, best_of): 0 if
// absent or null, else a count of 1..[core.MaxChoices].
func answerCount(field string, v gjson.Result) (int64, *apiError) {
	if !v.Exists() || v.Type == gjson.Null {
		return 0, nil
	}
	if v.Type != gjson.Number || v.Num != float64(int64(v.Num)) || v.Num < 1 || v.Num > core.MaxChoices {
		return 0, badRequest("invalid_n", field+" must be a whole number from 1 to "+strconv.Itoa(core.MaxChoices))
	}
	return int64(v.Num), nil
}

// headerObjectiveName is the objective header as clients write it.
const headerObjectiveName = "x-apikeyrouter-objective"

// checkObjective checks an objective header as the core does: the form
// with [router.ParseObjective], the rest with [core.CheckObjective], so
// that every objective the core would refuse is an invalid_objective, not
// the core's invalid_argument. The message is the parser's, without its
// "objective: ", or the core's.
func checkObjective(s string) error {
	o, err := router.ParseObjective(s)
	if err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "objective: "))
	}
	if err := core.CheckObjective(o); err != nil {
		var e *abi.Error
		if errors.As(err, &e) {
			return errors.New(e.Message)
		}
		return err
	}
	return nil
}

// usd formats nano-USD as a dollar amount with nine decimals.
func usd(n abi.NanoUSD) string {
	if n < 0 {
		return "-" + usd(-n)
	}
	var buf [32]byte
	b := strconv.AppendInt(buf[:0], int64(n/abi.Dollars), 10)
	b = append(b, ".000000000"...)
	for i, frac := len(b)-1, int64(n%abi.Dollars); frac > 0; i, frac = i-1, frac/10 {
		b[i] = byte('0' + frac%10)
	}
	return string(b)
}

// requestLog gathers what the request's log line says.
type requestLog struct {
	id, endpoint, client, model, key, provider, code string
	stream                                           bool
	status, attempts                                 int
	inputEstimate                                    int64
	usage                                            abi.Usage
	cost                                             abi.NanoUSD
	result                                           abi.Result
	overhead                                         time.Duration
}

func (l *requestLog) fail(e *apiError) *apiError {
	l.status, l.code = e.status, e.code
	return e
}

// logRequest writes the request's one log line.
func (s *Server) logRequest(ctx context.Context, l *requestLog, start time.Time) {
	level := slog.LevelInfo
	if l.status >= 500 {
		level = slog.LevelWarn
	}
	if !s.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("id", l.id), slog.String("endpoint", l.endpoint), slog.Int("status", l.status),
		slog.String("model", l.model), slog.String("key", l.key), slog.String("provider", l.provider),
		slog.Int("attempts", l.attempts), slog.Bool("stream", l.stream),
		slog.Int64("input_tokens", int64(l.usage.InputTokens)), slog.Int64("output_tokens", int64(l.usage.OutputTokens)),
		slog.String("cost_usd", usd(l.cost)), slog.Int64("overhead_us", l.overhead.Microseconds()),
		slog.Int64("duration_ms", time.Since(start).Milliseconds()),
	}
	if l.client != "" {
		attrs = append(attrs, slog.String("client", l.client))
	}
	if l.code != "" {
		attrs = append(attrs, slog.String("error", l.code))
	}
	// A record made here, without the caller's program counter, which
	// Logger.LogAttrs would take with runtime.Callers (some hundreds of
	// ns) for a source location the handler does not log.
	r := slog.NewRecord(time.Now(), level, "request", 0)
	r.AddAttrs(attrs...)
	_ = s.log.Handler().Handle(ctx, r)
}

// requestID returns the client's X-Request-Id when it is a short token,
// else a fresh one.
func requestID(req *http.Request) string {
	if id := req.Header.Get(headerRequestID); id != "" && len(id) <= 64 && isToken(id) {
		return id
	}
	var raw [15]byte // 120 random bits, 20 characters
	fillRandom(raw[:])
	var id [24]byte
	base64.RawURLEncoding.Encode(id[copy(id[:], "req_"):], raw[:])
	return string(id[:])
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
