package anthropic

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// DefaultBaseURL is Anthropic's API root.
const DefaultBaseURL = "https://api.anthropic.com/v1"

// APIVersion is the anthropic-version the adapter sends, unless the
// request's extra headers name another.
const APIVersion = "2023-06-01"

// Version is the adapter's own version, reported in its [sdk.Info].
const Version = "0.1.0"

// maxErrorBody bounds how much of an error answer the adapter reads to
// classify it; the client sees at most this much of it.
const maxErrorBody = 1 << 20

// Config configures an [Adapter]. The zero value is ready to use.
type Config struct {
	// HTTPClient makes the upstream calls. Nil means a client tuned for
	// many concurrent calls to few hosts, with no overall timeout: each
	// call's context bounds it.
	HTTPClient *http.Client
	// BaseURL is used for requests without one. Empty means
	// [DefaultBaseURL].
	BaseURL string
	// Logger receives debug lines about upstream calls (never a secret).
	// Nil means no logging.
	Logger hclog.Logger
	// Now is the clock that turns reset instants into durations, and
	// dates translated answers ("created") that have no Date header. Nil
	// means time.Now.
	Now func() time.Time
}

// Adapter calls Anthropic's Messages API. It is safe for concurrent use.
type Adapter struct {
	client  *http.Client
	baseURL string
	log     hclog.Logger
	now     func() time.Time
}

// New returns an adapter configured by cfg.
func New(cfg Config) *Adapter {
	a := &Adapter{client: cfg.HTTPClient, baseURL: cfg.BaseURL, log: cfg.Logger, now: cfg.Now}
	if a.client == nil {
		a.client = &http.Client{Transport: newTransport()}
	}
	if a.baseURL == "" {
		a.baseURL = DefaultBaseURL
	}
	if a.log == nil {
		a.log = hclog.NewNullLogger()
	}
	if a.now == nil {
		a.now = time.Now
	}
	return a
}

// newTransport returns Go's default transport, keeping more idle
// connections per host: a router sends many calls to few providers.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 256
	return t
}

// Info reports the adapter: Anthropic's format natively (first, so
// WireCompatible speaks of it), OpenAI's chat completions by translation.
func (a *Adapter) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:           "anthropic",
		Version:        Version,
		Formats:        []string{sdk.FormatAnthropic, sdk.FormatOpenAI},
		Endpoints:      []string{sdk.EndpointMessages, sdk.EndpointChatCompletions},
		WireCompatible: true,
		DefaultBaseURL: a.baseURL,
	}, nil
}

// EstimateTokens estimates the request's input tokens; see the package
// doc for the approximation.
func (a *Adapter) EstimateTokens(_ context.Context, req *sdk.Request) (int64, error) {
	format, err := checkRequest(req)
	if err != nil {
		return 0, err
	}
	body := req.Body
	if format == sdk.FormatOpenAI {
		if body, err = translate.NewOpenAIToAnthropic().RequestBody(req.Body); err != nil {
			return 0, &sdk.Error{Result: abi.BadRequest, Message: "anthropic: estimate tokens: " + err.Error()}
		}
	}
	n, err := estimateTokens(body)
	if err != nil {
		return 0, &sdk.Error{Result: abi.BadRequest, Message: "anthropic: estimate tokens: " + err.Error()}
	}
	return n, nil
}

// Do sends a Messages request and relays the answer. A body in
// Anthropic's format goes upstream as the client sent it but for "model";
// one in OpenAI's is translated, and so is the answer back (streamed or
// not, errors included). Rate-limit headers and retry-after are read from
// every answer; usage from the message, or the stream's message_start and
// message_delta events.
func (a *Adapter) Do(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	format, err := checkRequest(req)
	if err != nil {
		return nil, err
	}
	var tr *translate.OpenAIToAnthropic
	body := req.Body
	if format == sdk.FormatOpenAI {
		tr = translate.NewOpenAIToAnthropic()
		if body, err = tr.RequestBody(req.Body); err != nil {
			a.log.Debug("request refused: it cannot be translated", "error", err)
			return refusal(tr.RequestError(err)), nil
		}
	}
	p, err := prepareBody(body, req.Model)
	if err != nil {
		return nil, &sdk.Error{Result: abi.BadRequest, Message: "anthropic: " + err.Error()}
	}
	hreq, err := a.newRequest(ctx, http.MethodPost, sdk.EndpointMessages, req, p.body)
	if err != nil {
		return nil, err
	}
	if p.stream {
		hreq.Header.Set("Accept", "text/event-stream")
	}
	start := time.Now()
	hresp, err := a.client.Do(hreq)
	if err != nil {
		return nil, a.callError(req, "call upstream", err)
	}
	now := a.now()
	resp := &sdk.Response{
		Status:     hresp.StatusCode,
		RateLimit:  sdk.ParseRateLimit(hresp.Header, now),
		RetryAfter: sdk.ParseRetryAfter(hresp.Header, now),
		Waited:     time.Since(start),
	}
	isStream := strings.HasPrefix(hresp.Header.Get("Content-Type"), "text/event-stream")
	switch {
	case hresp.StatusCode < 200 || hresp.StatusCode > 299:
		body, _ := io.ReadAll(io.LimitReader(hresp.Body, maxErrorBody))
		_ = hresp.Body.Close()
		if req.Secret != "" { // a proxy in between may echo the key it rejected
			body = bytes.ReplaceAll(body, []byte(req.Secret), []byte(sdk.Redacted))
		}
		resp.Result = classifyStatus(hresp.StatusCode, body)
		resp.Header = clientHeader(hresp.Header, true)
		if tr != nil {
			body = tr.ResponseError(hresp.StatusCode, body)
			resp.Header.Set("Content-Type", "application/json")
		}
		resp.Body = sdk.NewBody(io.NopCloser(bytes.NewReader(body)), nil)
	case isStream:
		r := newStreamReader(hresp.Body)
		if tr != nil {
			r.convert = tr.ResponseStream(answered(hresp.Header, now))
		}
		resp.Header = clientHeader(hresp.Header, true)
		resp.Body = sdk.NewBody(r, r.Usage)
	default:
		r := newJSONReader(hresp.Body, tr, answered(hresp.Header, now))
		resp.Header = clientHeader(hresp.Header, tr != nil)
		resp.Body = sdk.NewBody(r, r.Usage)
	}
	a.log.Debug("upstream answered", "format", format, "status", resp.Status,
		"result", resp.Result, "stream", isStream, "latency", time.Since(start))
	return resp, nil
}

// answered returns when the provider answered, in unix seconds, for a
// translated answer's "created": its Date header, or now.
func answered(h http.Header, now time.Time) int64 {
	if t, err := http.ParseTime(h.Get("Date")); err == nil {
		return t.Unix()
	}
	return now.Unix()
}

// refusal is the answer to a request the translation refused: 400 with
// body (in the client's format), classified as a bad request, which says
// nothing about the key. The provider was not called.
func refusal(body []byte) *sdk.Response {
	return &sdk.Response{
		Status: http.StatusBadRequest,
		Header: http.Header{"Content-Type": {"application/json"}},
		Result: abi.BadRequest,
		Body:   sdk.NewBody(io.NopCloser(bytes.NewReader(body)), nil),
	}
}

// newRequest builds an upstream request to endpoint (which may carry a
// query) under the request's base URL, with its headers and secret.
func (a *Adapter) newRequest(ctx context.Context, method, endpoint string, req *sdk.Request, body []byte) (*http.Request, error) {
	base := req.BaseURL
	if base == "" {
		base = a.baseURL
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+"/"+endpoint, r)
	if err != nil {
		// The URL came from configuration; it holds no secret, but redact anyway.
		return nil, &sdk.Error{Result: abi.BadRequest, Message: sdk.Redact("anthropic: build request: "+err.Error(), req.Secret)}
	}
	hreq.Header = upstreamHeader(req.Header, req.Secret)
	return hreq, nil
}

// callError classifies a failed upstream call, and logs it.
func (a *Adapter) callError(req *sdk.Request, what string, err error) error {
	e := &sdk.Error{Result: sdk.ClassifyError(err), Message: sdk.Redact("anthropic: "+what+": "+err.Error(), req.Secret)}
	a.log.Debug("upstream call failed", "endpoint", req.Endpoint, "result", e.Result, "error", e.Message)
	return e
}

// checkRequest returns the request's format, refusing what the adapter
// cannot serve: Anthropic's format on the messages endpoint, OpenAI's on
// chat completions. An empty format is the endpoint's.
func checkRequest(req *sdk.Request) (string, error) {
	format := req.Format
	switch {
	case format == "" && req.Endpoint == sdk.EndpointMessages:
		format = sdk.FormatAnthropic
	case format == "":
		format = sdk.FormatOpenAI
	}
	switch {
	case format == sdk.FormatAnthropic && req.Endpoint == sdk.EndpointMessages,
		format == sdk.FormatOpenAI && req.Endpoint == sdk.EndpointChatCompletions:
		return format, nil
	case format != sdk.FormatAnthropic && format != sdk.FormatOpenAI:
		return "", &sdk.Error{Result: abi.BadRequest, Message: "anthropic: unsupported format " + quote(format)}
	}
	return "", &sdk.Error{Result: abi.BadRequest, Message: "anthropic: unsupported endpoint " + quote(req.Endpoint) + " for format " + quote(format)}
}

// quote quotes s for an error message, bounded so a hostile value cannot
// flood a log.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + s + `"`
}

// Interface guards
var _ sdk.Adapter = (*Adapter)(nil)
