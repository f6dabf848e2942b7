package router

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// Call is one LLM call for the router to carry out.
type Call struct {
	// Endpoint is the provider endpoint, e.g. sdk.EndpointChatCompletions
	// (the default); Format the body's format, default sdk.FormatOpenAI.
	Endpoint, Format string
	// Model is the model name the body asks for: a name a provider
	// serves, or "<provider>/<name>" (see [Router.Do]).
	Model string
	// Body is the client's request body; it is never modified.
	Body []byte
	// MaxOutputTokens is the call's max_tokens (0: none), for the estimate.
	MaxOutputTokens int64
	// Choices is how many answers the call asks for (n, best_of; 0: one):
	// the estimate and hard budgets count the output that many times.
	Choices int64
	// InputTokens overrides the adapter's estimate of the prompt when > 0.
	InputTokens int64
	// Objective is a goal name or a JSON mix; empty means the default.
	Objective string
	// Client is the virtual client key making the call, if any.
	Client abi.ClientID
	// Provider pins one provider; Tags a key must carry.
	Provider abi.ProviderID
	Tags     []string
	// Header holds extra headers to send upstream.
	Header http.Header
}

// Answer is the provider's answer to a [Call]. Its Body must be read to
// the end or closed: that settles the attempt (its cost, usage and the
// key's health) — journaled at once, applied to the core by the next call
// into it or by [Answer.Settled]. An answer that is not a stream (up to
// [MaxBufferedAnswer]) has been read whole and settled before Do returns
// it: its Body is in memory, its Header has the Content-Length.
type Answer struct {
	Status int
	Header http.Header
	Body   io.ReadCloser
	// Decision is the core's decision for the attempt that answered.
	Decision *abi.Decision
	// Attempts counts the calls made, this one included: a key retried
	// (after a short Retry-After, or with the secret a rotation replaced)
	// counts again. At most MaxAttempts keys are tried.
	Attempts int
	// Overhead is the time spent in the router itself before the answer —
	// estimating, deciding, preparing — not waiting for providers.
	Overhead time.Duration
	// InputTokens is the prompt estimate the decision used.
	InputTokens int64
	// Charged is what the call's earlier attempts were charged (an answer
	// that broke off, an error answer with usage); the cost of the one
	// that answered is [Answer.Settled]'s.
	Charged abi.NanoUSD

	r          *Router
	settled    chan struct{}
	settlement *settlement // nil for an answer settled before Do returned
	outcome    abi.Outcome
}

// Settled waits until the body has been read or closed and returns the
// attempt's outcome and what the core made of it (the cost is
// Effects.Cost).
func (a *Answer) Settled() (abi.Outcome, abi.Effects) {
	<-a.settled
	if a.settlement == nil {
		return a.outcome, abi.Effects{}
	}
	return a.outcome, a.r.settled(context.Background(), a.settlement)
}

// UpstreamError is the error Do returns when no provider answered: every
// attempt failed before a response (connection, timeout, adapter), or
// its answer broke off before Do returned it ([ErrAnswerBroke]).
type UpstreamError struct {
	// Attempts counts the calls made, as [Answer.Attempts].
	Attempts int
	// Result and Err say how the last attempt failed.
	Result abi.Result
	Err    error
	// Key and Provider are the last attempt's key.
	Key      abi.KeyID
	Provider abi.ProviderID
	// Charged is what the attempts were charged (answers that broke off,
	// error answers with usage).
	Charged abi.NanoUSD
}

func (e *UpstreamError) Error() string {
	return fmt.Sprintf("router: no provider answered after %d attempt(s): %s: %v", e.Attempts, e.Result, e.Err)
}

func (e *UpstreamError) Unwrap() error { return e.Err }

// ErrAnswerBroke is wrapped by an [UpstreamError] whose last attempt's
// answer broke off (the connection failed, or the body was malformed)
// before Do returned it.
var ErrAnswerBroke = errors.New("router: the provider's answer broke off")

// MaxBufferedAnswer bounds the answer (not a stream) that Do reads whole
// before returning it; a larger one is returned as it goes on, and can no
// longer fail over if it breaks.
const MaxBufferedAnswer = 32 << 20

// answerGrace is how long an answer being read may go on after the call's
// context ended, for its usage (which comes last) to arrive.
const answerGrace = 2 * time.Second

// retryable reports whether another key might answer where this one failed.
func retryable(r abi.Result) bool {
	switch r {
	case abi.RateLimited, abi.QuotaExhausted, abi.ServerError, abi.Timeout, abi.ConnectionError, abi.AuthError:
		return true
	}
	return false
}

// maxFailureBody bounds how much of a failed answer is kept to relay.
const maxFailureBody = 1 << 20

// failure is a failed answer kept in case no other key does better.
type failure struct {
	status   int
	header   http.Header
	body     []byte
	decision *abi.Decision
}

// Do carries out a call: it asks the core for a key, calls the provider
// through its adapter, and fails over to the next best key on a 429, a 5xx,
// a timeout, a connection error or a rejected secret — each outcome
// reported to the core — until a key answers, the attempt limit is reached
// or ctx ends. A stream fails over only before its first byte: Do returns
// as soon as a provider's headers arrive. Any other answer is read whole
// first (up to [MaxBufferedAnswer]), so one that breaks off fails over as
// a connection error would; its attempt is settled with the failure.
//
// A model name some provider serves is routed as it is. Else a name
// "<provider>/<name>", as LLM-API-Key-Proxy's clients write them, where
// that provider serves <name>, is routed to that provider only, as <name>:
// the core (prices, a client's allowed models) and the provider see
// <name>, the adapter rewriting the body's "model". Such a name with
// Call.Provider pinned to another provider is refused (invalid_argument).
//
// When the core refuses, Do returns a *Refusal; when no provider answered
// at all, an *UpstreamError. When every attempt got an error answer, the
// last one is returned as the Answer, for the client to see.
func (r *Router) Do(ctx context.Context, c Call) (*Answer, error) {
	start := time.Now()
	var upstream time.Duration
	obj, err := ParseObjective(c.Objective)
	if err != nil {
		return nil, &Refusal{Code: abi.InvalidArgument, Message: err.Error()}
	}
	if c.Endpoint == "" {
		c.Endpoint = sdk.EndpointChatCompletions
	}
	if c.Format == "" {
		c.Format = sdk.FormatOpenAI
	}
	r.cfg.RLock()
	t, err := r.resolveLocked(c.Model, c.Provider)
	var est *Provider
	if err == nil && c.InputTokens <= 0 {
		est = r.estimator(t)
	}
	r.cfg.RUnlock()
	if err != nil {
		return nil, err
	}
	// model is the provider's name for the model when the body's is not.
	var model string
	if t.prefixed {
		model = t.model
	}
	tokens, exact := c.InputTokens, true
	if tokens <= 0 {
		tokens, exact = r.estimate(ctx, &c, est, model)
	}
	req := abi.RouteRequest{Model: t.model, Provider: t.provider, Client: c.Client, Objective: obj, Tags: c.Tags,
		InputTokens: abi.Tokens(tokens), MaxOutputTokens: abi.Tokens(c.MaxOutputTokens), Choices: c.Choices}
	if bound := min(int64(len(c.Body)), maxTokens); !exact && bound > tokens {
		// A token is at least a byte: what a hard budget reserves for a
		// prompt only approximately counted.
		req.InputTokensBound = abi.Tokens(bound)
	}
	var (
		last     *failure
		lastErr  error
		lastRes  abi.Result
		attempts int  // calls made
		keys     int  // keys tried: at most maxAttempts
		oldKey   bool // retrying the same key with the secret it replaced
		sameKey  bool // retrying the same key after a short Retry-After
		waited   bool // this key was retried after a short Retry-After
		d        *abi.Decision
		tried    *abi.Decision // the last attempt's
		// passedOver are the providers of keys the core chose that could
		// not be called (no adapter: see MissingBase), in order, once each;
		// passes counts those keys.
		passedOver []string
		passes     int
		charged    abi.NanoUSD // what failed attempts were charged
	)
	for {
		if !oldKey && !sameKey {
			if keys == r.maxAttempts {
				break
			}
			keys++
			waited = false
			if d, err = r.route(ctx, &req); err != nil {
				var refusal *Refusal
				if errors.As(err, &refusal) {
					if last != nil || lastErr != nil {
						break // keys were tried: say how the last one failed
					}
					if passedOver != nil {
						refusal.Message += "; " + passedOverMessage(passedOver)
					}
				}
				return nil, err
			}
		}
		p, s := r.reach(d)
		if p == nil {
			// The key's provider cannot be called: the attempt is abandoned
			// (no key blamed) and the key passed over, not counted as tried
			// unless passOverFree such keys were already.
			r.report(d, abi.Outcome{Result: abi.Cancelled})
			req.Exclude = append(req.Exclude, d.Key)
			if !slices.Contains(passedOver, string(d.Provider)) {
				passedOver = append(passedOver, string(d.Provider))
			}
			if passes++; passes <= passOverFree && !oldKey && !sameKey {
				keys--
			}
			oldKey, sameKey = false, false
			continue
		}
		attempts++
		tried = d
		key := s.current
		if oldKey {
			key, _ = s.fallback(r.now())
		}
		// The attempt ends with ctx until the provider's headers arrive;
		// after that its body is the caller's to read or close (it keeps
		// ctx's deadline): a caller whose own client hung up right after the
		// last byte can still read the usage that follows it.
		actx, cancel := detach(ctx)
		untilHeaders := context.AfterFunc(ctx, cancel)
		timer := time.AfterFunc(r.attemptTimeout, cancel)
		t0 := time.Now()
		resp, err := p.Adapter.Do(actx, &sdk.Request{Endpoint: c.Endpoint, Format: c.Format, Model: model, Body: c.Body,
			BaseURL: p.BaseURL, Secret: key, Header: mergeHeader(p.Header, c.Header)})
		if err == nil {
			err = r.checkResponse(d, resp)
		}
		took := time.Since(t0)
		upstream += upstreamPart(resp, took)
		timedOut := !timer.Stop()
		untilHeaders()
		latency := took.Microseconds()
		if err != nil {
			cancel()
			res := sdk.ClassifyError(err)
			if res == abi.Success || res > abi.Cancelled {
				res = abi.ConnectionError // a failure no class fits is the adapter's
			}
			if timedOut {
				res = abi.Timeout
			}
			if ctx.Err() != nil {
				r.report(d, abi.Outcome{Result: abi.Cancelled, LatencyMicros: latency})
				return nil, ctx.Err()
			}
			if res == abi.BadRequest {
				// The adapter refused the request itself (it cannot be
				// translated, say): no other key would do better.
				r.report(d, abi.Outcome{Result: abi.BadRequest, LatencyMicros: latency})
				return nil, &Refusal{Code: abi.InvalidArgument, Message: adapterMessage(err), Decision: d}
			}
			r.report(d, abi.Outcome{Result: res, LatencyMicros: latency})
			lastErr, lastRes, oldKey, sameKey = err, res, false, false
			req.Exclude = append(req.Exclude, d.Key)
			continue
		}
		if resp.Result == abi.Success || !retryable(resp.Result) {
			a := &Answer{Status: resp.Status, Header: resp.Header, Decision: d, Attempts: attempts,
				InputTokens: tokens, Charged: charged, r: r, settled: make(chan struct{})}
			body := &settlingBody{r: r, a: a, resp: resp, attempt: d.Attempt, latency: latency, cancel: cancel}
			a.Body = body
			if eventStream(resp.Header) {
				a.Overhead = time.Since(start) - upstream
				return a, nil
			}
			t1 := time.Now()
			err := a.readWhole(ctx, body)
			upstream += time.Since(t1)
			if err == nil {
				a.Overhead = time.Since(start) - upstream
				return a, nil
			}
			charged += r.settled(ctx, a.settlement).Cost
			// The answer broke off before the caller saw a byte of it: the
			// attempt settled with the failure, which the key's health
			// learns, and another key may answer.
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			lastErr, lastRes, oldKey, sameKey = fmt.Errorf("%w: %w", ErrAnswerBroke, err), a.outcome.Result, false, false
			if lastRes == abi.Success || lastRes == abi.Cancelled {
				lastRes = abi.ConnectionError
			}
			req.Exclude = append(req.Exclude, d.Key)
			continue
		}
		// A failed answer: keep it to relay if no other key does better.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxFailureBody))
		resp.Body.Close()
		cancel()
		last, lastErr = &failure{status: resp.Status, header: resp.Header, body: body, decision: d}, nil
		if _, ok := s.fallback(r.now()); ok && !oldKey && resp.Result == abi.AuthError {
			// A rotated secret the provider does not accept yet: the same
			// attempt goes again with the secret it replaced.
			oldKey, sameKey = true, false
			continue
		}
		o := resp.Outcome()
		o.LatencyMicros = latency
		fx := r.report(d, o)
		charged += fx.Cost
		retryAt := time.Unix(0, int64(fx.RetrySameKeyAt))
		oldKey, sameKey = false, false
		if fx.RetrySameKeyAt != 0 && !waited && wait(ctx, retryAt) {
			sameKey, waited = true, true // a short Retry-After: the same key once more, after it
			continue
		}
		req.Exclude = append(req.Exclude, d.Key)
	}
	if last != nil {
		return &Answer{Status: last.status, Header: last.header, Body: io.NopCloser(bytes.NewReader(last.body)),
			Decision: last.decision, Attempts: attempts, Overhead: time.Since(start) - upstream,
			InputTokens: tokens, Charged: charged, settled: closed}, nil
	}
	if lastErr == nil && passedOver != nil {
		// Every key tried was passed over.
		return nil, &Refusal{Code: abi.NoEligibleKeys, Message: "no key could be called: " + passedOverMessage(passedOver)}
	}
	e := &UpstreamError{Attempts: attempts, Result: lastRes, Err: lastErr, Charged: charged}
	if tried != nil {
		e.Key, e.Provider = tried.Key, tried.Provider
	}
	return nil, e
}

// eventStream reports whether an answer is a server-sent event stream.
func eventStream(h http.Header) bool {
	return strings.HasPrefix(h.Get("Content-Type"), "text/event-stream")
}

// readWhole reads the answer's body b to its end before Do returns it,
// up to [MaxBufferedAnswer]; the rest of a larger one is left to the
// caller. If ctx ends meanwhile, the answer goes on for answerGrace, then
// is closed. It returns the error that broke the body off.
func (a *Answer) readWhole(ctx context.Context, b *settlingBody) error {
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(answerGrace, func() { b.Close() }) })
	defer stop()
	buf, err := io.ReadAll(io.LimitReader(b, MaxBufferedAnswer+1))
	switch {
	case err != nil:
		b.Close()
		return err
	case len(buf) > MaxBufferedAnswer:
		a.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(buf), b), b}
		return nil
	}
	b.Close() // settled at its end: this releases the provider's body
	if a.Header == nil {
		a.Header = http.Header{}
	}
	a.Header.Set("Content-Length", strconv.Itoa(len(buf)))
	a.Body = io.NopCloser(bytes.NewReader(buf))
	return nil
}

// upstreamPart is how much of an adapter call that took took was spent
// waiting for the provider: what the adapter measured, else all of it.
func upstreamPart(resp *sdk.Response, took time.Duration) time.Duration {
	if resp != nil && resp.Waited > 0 && resp.Waited <= took {
		return resp.Waited
	}
	return took
}

// detach returns a context with ctx's values and deadline but not its
// cancellation, and the function that cancels it.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	d := context.WithoutCancel(ctx)
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(d, dl)
	}
	return context.WithCancel(d)
}

// adapterMessage is an adapter error's message, for the client.
func adapterMessage(err error) string {
	var e *sdk.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// closed is a settled channel, for answers whose attempt was settled already.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// reach returns the provider and secret of a decision's key.
func (r *Router) reach(d *abi.Decision) (*Provider, *secret) {
	r.cfg.RLock()
	defer r.cfg.RUnlock()
	p, s := r.providers[d.Provider], r.secrets[d.Key]
	if p == nil || p.Adapter == nil || s == nil {
		return nil, nil
	}
	return p, s
}

// passedOverMessage says which providers' keys a call passed over.
func passedOverMessage(providers []string) string {
	return "passed over the keys of " + strings.Join(providers, ", ") + ", which cannot be called (no adapter: see the log)"
}

// passOverFree is how many keys of providers that cannot be called one
// call passes over without counting them as tries: the core keeps
// choosing such keys (nothing blames them), so more would cost each call
// a decision per key.
const passOverFree = 8

// maxTokens is the most tokens the core counts, in a request or an
// outcome: it refuses more. It is the core's own bound, so the estimate
// here and the usage clamps of [Router.sanitize] cannot drift from it.
const maxTokens = core.MaxTokens

// maxEstimateWait bounds an adapter's token estimate (and the attempt
// timeout, if shorter, bounds it further). An estimate needs no network:
// one that takes longer is hung, a plugin's say, and the call must not
// wait for it until the request's own timeout.
const maxEstimateWait = 2 * time.Second

// estimate asks the adapter of p, a provider of the call's model, for the
// prompt's tokens, for at most maxEstimateWait, and whether they are a
// count (see [sdk.ExactEstimator]); without one, or if it fails, takes too
// long or answers a count the core would refuse (below 0, above
// maxTokens), it assumes four bytes a token. model is the provider's name
// for the model when the body's is not.
func (r *Router) estimate(ctx context.Context, c *Call, p *Provider, model string) (tokens int64, exact bool) {
	if p != nil {
		ectx, cancel := context.WithTimeout(ctx, min(r.attemptTimeout, maxEstimateWait))
		req := &sdk.Request{Endpoint: c.Endpoint, Format: c.Format, Model: model, Body: c.Body, BaseURL: p.BaseURL}
		n, err := p.Adapter.EstimateTokens(ectx, req)
		cancel()
		switch {
		case err != nil:
			r.log.Warn("token estimate failed", "model", c.Model, "provider", p.ID, "err", err)
		case n < 0 || n > maxTokens:
			r.log.Warn("token estimate failed", "model", c.Model, "provider", p.ID,
				"err", fmt.Sprintf("the adapter estimated %d tokens, not 0..%d", n, int64(maxTokens)))
		default:
			e, ok := p.Adapter.(sdk.ExactEstimator)
			return n, ok && e.EstimateIsExact(req)
		}
	}
	return min(int64(len(c.Body)+3)/4, maxTokens), false
}

// checkResponse returns an error if the adapter's answer to d's attempt
// is one no provider could have given (no body, a status outside
// 100..599, an unknown result class): net/http would panic writing
// status 0 and send 999 on to the client. The adapter broke its
// contract, so the attempt fails as a connection error and another key
// may answer; the answer is closed.
func (r *Router) checkResponse(d *abi.Decision, resp *sdk.Response) error {
	var what string
	switch {
	case resp == nil:
		what = "no answer and no error"
	case resp.Body == nil:
		what = "an answer without a body"
	case resp.Status < 100 || resp.Status > 599:
		what = "status " + strconv.Itoa(resp.Status)
	case resp.Result > abi.Cancelled:
		what = "result " + strconv.Itoa(int(resp.Result))
	default:
		return nil
	}
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	r.log.Warn("adapter broke the protocol", "key", d.Key, "provider", d.Provider, "attempt", d.Attempt, "answer", what)
	return &sdk.Error{Result: abi.ConnectionError, Message: "the adapter broke the protocol: " + what}
}

// report settles an attempt, logging (not returning) a failure to: the
// call's result does not depend on it. The outcome is sanitized first,
// and should the core still refuse it, the attempt is settled as a
// connection error with no usage ([refusedOutcome]): it always closes.
func (r *Router) report(d *abi.Decision, o abi.Outcome) abi.Effects {
	r.sanitize(d, &o)
	fx, err := r.Report(d.Attempt, o)
	if abi.CodeOf(err) == abi.InvalidArgument {
		r.log.Error("the core refused an outcome; settling the attempt as a connection error with no usage",
			"attempt", d.Attempt, "key", d.Key, "err", err)
		fx, err = r.Report(d.Attempt, refusedOutcome)
	}
	if err != nil {
		r.log.Error("report outcome", "attempt", d.Attempt, "key", d.Key, "err", err)
	}
	return fx
}

// wait sleeps until t unless ctx ends first or t is too far (past ctx's
// deadline); it reports whether the time came.
func wait(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if dl, ok := ctx.Deadline(); ok && t.After(dl) {
		return false
	}
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func mergeHeader(a, b http.Header) http.Header {
	switch {
	case len(a) == 0:
		return b
	case len(b) == 0:
		return a
	}
	h := a.Clone()
	for k, v := range b {
		h[k] = v
	}
	return h
}

// settlingBody relays an answer's body and settles the attempt once it has
// ended, whether read to the end, broken or closed early: before the
// reader sees the end, its outcome is in the journal.
type settlingBody struct {
	r       *Router
	a       *Answer
	resp    *sdk.Response
	attempt uint64
	latency int64
	cancel  context.CancelFunc
	once    sync.Once
	// events counts the server-sent events read, for a cut stream's
	// estimate (atomic: Close may settle while Read goes on).
	events atomic.Int64
}

func (b *settlingBody) Read(p []byte) (int, error) {
	n, err := b.resp.Body.Read(p)
	b.events.Add(int64(bytes.Count(p[:n], sseData)))
	if err != nil {
		b.settle()
	}
	return n, err
}

// sseData starts a server-sent event's data line (counted loosely: the
// count only estimates a cut stream's output).
var sseData = []byte("data:")

func (b *settlingBody) Close() error {
	err := b.resp.Body.Close()
	b.settle()
	return err
}

func (b *settlingBody) settle() {
	b.once.Do(func() {
		o := b.resp.Outcome()
		o.LatencyMicros = b.latency
		if b.resp.Result == abi.Success && o.Result != abi.Success && o.Usage == (abi.Usage{}) {
			// A successful answer cut before its usage arrived: the provider
			// bills what it did, so charge the prompt's estimate and a token
			// per streamed event, and cut streams cannot dodge a budget.
			o.Usage = abi.Usage{InputTokens: abi.Tokens(b.a.InputTokens), OutputTokens: abi.Tokens(b.events.Load())}
		}
		b.r.sanitize(b.a.Decision, &o)
		b.a.outcome = o
		b.a.settlement = b.r.settleLater(context.Background(), b.a.Decision, o)
		b.cancel()
		close(b.a.settled)
	})
}

// Interface guards
var _ io.ReadCloser = (*settlingBody)(nil)
