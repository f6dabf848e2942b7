package openai

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/tokenize"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// DefaultBaseURL is OpenAI's API root.
const DefaultBaseURL = "https://api.openai.com/v1"

// Version is the adapter's version, reported in its [sdk.Info].
const Version = "0.1.0"

// maxErrorBody bounds how much of an error answer the adapter reads to
// classify it; the client sees at most this much of it.
const maxErrorBody = 1 << 20

// endpoints are the endpoints [Adapter.Do] serves.
var endpoints = []string{sdk.EndpointChatCompletions, sdk.EndpointCompletions, sdk.EndpointEmbeddings}

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
	// Now is the clock that turns reset instants into durations. Nil means
	// time.Now.
	Now func() time.Time
	// Rewrite, when set, edits each upstream request before it is sent,
	// for providers that speak OpenAI's format at other addresses or with
	// other credentials (Azure OpenAI). It gets the request as built (URL
	// base + "/" + endpoint, the secret as a bearer token), the endpoint
	// ("models" for [Adapter.Models]) and the call. An error refuses the
	// call; it should be an [*sdk.Error] and must not contain the secret.
	// Nil means no change.
	Rewrite func(r *http.Request, endpoint string, req *sdk.Request) error
}

// Adapter calls OpenAI or any OpenAI-compatible API (Groq, Together,
// OpenRouter, vLLM, Ollama …: set the request's BaseURL). It is safe for
// concurrent use.
type Adapter struct {
	client  *http.Client
	baseURL string
	log     hclog.Logger
	now     func() time.Time
	rewrite func(*http.Request, string, *sdk.Request) error
}

// New returns an adapter configured by cfg.
func New(cfg Config) *Adapter {
	a := &Adapter{client: cfg.HTTPClient, baseURL: cfg.BaseURL, log: cfg.Logger, now: cfg.Now, rewrite: cfg.Rewrite}
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
	tokenize.Warm(tokenize.O200kBase, tokenize.Cl100kBase)
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

// Info reports the adapter: OpenAI's format, served natively (first, so
// WireCompatible speaks of it), and Anthropic's Messages by translation.
func (a *Adapter) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:           "openai",
		Version:        Version,
		Formats:        []string{sdk.FormatOpenAI, sdk.FormatAnthropic},
		Endpoints:      slices.Concat(endpoints, []string{sdk.EndpointMessages}),
		WireCompatible: true,
		DefaultBaseURL: a.baseURL,
	}, nil
}

// EstimateTokens estimates the request's input tokens; see the package
// doc for how.
// EstimateIsExact implements [sdk.ExactEstimator]: OpenAI's models are
// counted with their own vocabulary, others by an approximation.
func (a *Adapter) EstimateIsExact(req *sdk.Request) bool {
	model := req.Model
	if model == "" {
		model = gjson.GetBytes(req.Body, "model").String()
	}
	return tokenize.ForModel(model) != tokenize.Approximate
}

func (a *Adapter) EstimateTokens(_ context.Context, req *sdk.Request) (int64, error) {
	if err := checkRequest(req); err != nil {
		return 0, err
	}
	endpoint, body := req.Endpoint, req.Body
	if isMessages(req) {
		var err error
		if body, err = translate.NewAnthropicToOpenAI().RequestBody(req.Body); err != nil {
			return 0, &sdk.Error{Result: abi.BadRequest, Message: "openai: estimate tokens: " + err.Error()}
		}
		endpoint = sdk.EndpointChatCompletions
	}
	n, err := estimateTokens(endpoint, body, req.Model)
	if err != nil {
		return 0, &sdk.Error{Result: abi.BadRequest, Message: "openai: estimate tokens: " + err.Error()}
	}
	return n, nil
}

// Do sends the client's body to the endpoint, edited only as
// prepareBody says, and relays the answer; a body in Anthropic's format
// goes to chat completions translated, and its answer comes back
// translated (see anthropic_openai.go). Rate-limit headers and retry-after
// are read from every answer; usage from the JSON body or the stream's
// usage chunk.
func (a *Adapter) Do(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	endpoint, body := req.Endpoint, req.Body
	var tr *translate.AnthropicToOpenAI
	if isMessages(req) {
		var refusal *sdk.Response
		if tr, body, refusal = fromMessages(req.Body); refusal != nil {
			a.log.Debug("request refused: it cannot be translated", "endpoint", req.Endpoint)
			return refusal, nil
		}
		endpoint = sdk.EndpointChatCompletions
	}
	p, err := prepareBody(body, req.Model)
	if err != nil {
		return nil, &sdk.Error{Result: abi.BadRequest, Message: "openai: " + err.Error()}
	}
	hreq, err := a.newRequest(ctx, http.MethodPost, endpoint, req, p.body)
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
		if req.Secret != "" { // some providers echo the key they rejected
			body = bytes.ReplaceAll(body, []byte(req.Secret), []byte(sdk.Redacted))
		}
		resp.Result = sdk.ClassifyStatus(hresp.StatusCode, body)
		resp.Header = clientHeader(hresp.Header, true)
		if tr != nil {
			body = tr.ResponseError(hresp.StatusCode, body)
			resp.Header.Set("Content-Type", "application/json")
		}
		resp.Body = sdk.NewBody(io.NopCloser(bytes.NewReader(body)), nil)
	case isStream:
		r := newStreamReader(hresp.Body, p.hideUsage)
		if tr != nil {
			r.convert = tr.ResponseStream()
		}
		resp.Header = clientHeader(hresp.Header, true)
		resp.Body = sdk.NewBody(r, r.Usage)
	case tr != nil:
		r := newMessagesReader(hresp.Body, tr)
		resp.Header = clientHeader(hresp.Header, true)
		resp.Body = sdk.NewBody(r, r.Usage)
	default:
		r := newJSONReader(hresp.Body)
		resp.Header = clientHeader(hresp.Header, false)
		resp.Body = sdk.NewBody(r, r.Usage)
	}
	a.log.Debug("upstream answered", "endpoint", req.Endpoint, "status", resp.Status,
		"result", resp.Result, "stream", isStream, "latency", time.Since(start))
	return resp, nil
}

// Models lists the models GET {base}/models returns.
func (a *Adapter) Models(ctx context.Context, req *sdk.Request) ([]sdk.Model, error) {
	hreq, err := a.newRequest(ctx, http.MethodGet, sdk.EndpointModels, req, nil)
	if err != nil {
		return nil, err
	}
	hresp, err := a.client.Do(hreq)
	if err != nil {
		return nil, a.callError(req, "list models", err)
	}
	defer hresp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(hresp.Body, maxModelsBody))
	if err != nil {
		return nil, a.callError(req, "list models", err)
	}
	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		return nil, &sdk.Error{
			Result:  sdk.ClassifyStatus(hresp.StatusCode, body),
			Message: sdk.Redact("openai: list models: upstream answered "+hresp.Status+": "+errorMessage(body), req.Secret),
		}
	}
	models, err := parseModels(body)
	if err != nil {
		return nil, &sdk.Error{Result: abi.ServerError, Message: "openai: list models: " + err.Error()}
	}
	return models, nil
}

// newRequest builds an upstream request to endpoint under the request's
// base URL, with its headers and secret.
func (a *Adapter) newRequest(ctx context.Context, method, endpoint string, req *sdk.Request, body []byte) (*http.Request, error) {
	base := req.BaseURL
	if base == "" {
		base = a.baseURL
	}
	url := strings.TrimRight(base, "/") + "/" + endpoint
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		// The URL came from configuration; it holds no secret, but redact anyway.
		return nil, &sdk.Error{Result: abi.BadRequest, Message: sdk.Redact("openai: build request: "+err.Error(), req.Secret)}
	}
	hreq.Header = upstreamHeader(req.Header, req.Secret)
	if a.rewrite != nil {
		if err := a.rewrite(hreq, endpoint, req); err != nil {
			return nil, err
		}
	}
	return hreq, nil
}

// callError classifies a failed upstream call, and logs it.
func (a *Adapter) callError(req *sdk.Request, what string, err error) error {
	e := &sdk.Error{Result: sdk.ClassifyError(err), Message: sdk.Redact("openai: "+what+": "+err.Error(), req.Secret)}
	a.log.Debug("upstream call failed", "endpoint", req.Endpoint, "result", e.Result, "error", e.Message)
	return e
}

// checkRequest refuses a request the adapter cannot serve: OpenAI's
// format on its endpoints, Anthropic's on messages.
func checkRequest(req *sdk.Request) error {
	if isMessages(req) {
		if req.Endpoint != sdk.EndpointMessages {
			return errEndpoint(req.Endpoint)
		}
		return nil
	}
	if req.Format != "" && req.Format != sdk.FormatOpenAI {
		return &sdk.Error{Result: abi.BadRequest, Message: "openai: unsupported format " + quote(req.Format)}
	}
	for _, e := range endpoints {
		if req.Endpoint == e {
			return nil
		}
	}
	return errEndpoint(req.Endpoint)
}

// errEndpoint is the error for an endpoint [Adapter.Do] does not serve.
func errEndpoint(endpoint string) error {
	return &sdk.Error{Result: abi.BadRequest, Message: "openai: unsupported endpoint " + quote(endpoint)}
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
var (
	_ sdk.Adapter        = (*Adapter)(nil)
	_ sdk.ExactEstimator = (*Adapter)(nil)
)
