package gemini

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/tokenize"
)

// DefaultBaseURL is the Gemini API's root.
const DefaultBaseURL = "https://generativelanguage.googleapis.com/v1beta"

// Version is the adapter's version, reported in its [sdk.Info].
const Version = "0.1.0"

// maxErrorBody bounds how much of an error answer the adapter reads.
const maxErrorBody = 1 << 20

// Config configures an [Adapter]. The zero value is ready to use.
type Config struct {
	// HTTPClient makes the upstream calls. Nil means a client with Go's
	// default transport and no overall timeout: each call's context bounds
	// it.
	HTTPClient *http.Client
	// BaseURL is used for requests without one. Empty means
	// [DefaultBaseURL].
	BaseURL string
	// Logger receives debug lines about upstream calls (never a secret).
	// Nil means no logging.
	Logger hclog.Logger
	// Now stamps the translated answers ("created") when Google's answer
	// has no Date header, and turns retry dates into durations. Nil means
	// time.Now.
	Now func() time.Time
}

// Adapter calls Google's Gemini API with OpenAI chat completion requests,
// translating both ways. It is safe for concurrent use.
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
		a.client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
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

// Info reports the adapter: OpenAI chat completions, translated.
func (a *Adapter) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:           "gemini",
		Version:        Version,
		Formats:        []string{sdk.FormatOpenAI},
		Endpoints:      []string{sdk.EndpointChatCompletions},
		DefaultBaseURL: a.baseURL,
	}, nil
}

// EstimateTokens approximates the request's input tokens (see the package
// doc).
func (a *Adapter) EstimateTokens(_ context.Context, req *sdk.Request) (int64, error) {
	if err := checkRequest(req); err != nil {
		return 0, err
	}
	n, err := tokenize.Request(tokenize.Approximate, req.Endpoint, req.Body)
	if err != nil {
		return 0, &sdk.Error{Result: abi.BadRequest, Message: "gemini: estimate tokens: " + err.Error()}
	}
	return n, nil
}

// Do translates the chat request, calls generateContent (or
// streamGenerateContent with alt=sse) and translates the answer back as
// it arrives.
func (a *Adapter) Do(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	chat, err := ChatRequest(req.Body, req.Model)
	if err != nil {
		return nil, &sdk.Error{Result: abi.BadRequest, Message: err.Error()}
	}
	method := ":generateContent"
	if chat.Stream {
		method = ":streamGenerateContent?alt=sse"
	}
	hreq, err := a.newRequest(ctx, http.MethodPost, "models/"+url.PathEscape(strings.TrimPrefix(chat.Model, "models/"))+method, req, chat.Body)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	hresp, err := a.client.Do(hreq)
	if err != nil {
		return nil, a.callError(req, "call upstream", err)
	}
	now := a.now()
	resp := &sdk.Response{Status: hresp.StatusCode, RetryAfter: sdk.ParseRetryAfter(hresp.Header, now),
		Waited: time.Since(start)}
	created := now.Unix() // the answer's time: Google's Date header, if any
	if d, err := http.ParseTime(hresp.Header.Get("Date")); err == nil {
		created = d.Unix()
	}
	switch {
	case hresp.StatusCode < 200 || hresp.StatusCode > 299:
		body, _ := io.ReadAll(io.LimitReader(hresp.Body, maxErrorBody))
		_ = hresp.Body.Close()
		body = []byte(sdk.Redact(string(body), req.Secret))
		if resp.RetryAfter == 0 {
			resp.RetryAfter = retryDelay(body)
		}
		var out []byte
		out, resp.Result = ErrorBody(hresp.StatusCode, body)
		resp.Header = clientHeader(hresp.Header, "application/json")
		resp.Body = sdk.NewBody(io.NopCloser(bytes.NewReader(out)), nil)
	case chat.Stream:
		r := newStreamReader(hresp.Body, NewStreamTranslator(chat.Model, created, chat.IncludeUsage))
		resp.Header = clientHeader(hresp.Header, "text/event-stream")
		resp.Body = sdk.NewBody(r, r.t.Usage)
	default:
		r := &jsonReader{body: hresp.Body, model: chat.Model, created: created}
		resp.Header = clientHeader(hresp.Header, "application/json")
		resp.Body = sdk.NewBody(r, r.Usage)
	}
	a.log.Debug("upstream answered", "model", chat.Model, "status", resp.Status,
		"result", resp.Result, "stream", chat.Stream, "latency", time.Since(start))
	return resp, nil
}

// Models lists the models that can generate content (GET {base}/models,
// every page).
func (a *Adapter) Models(ctx context.Context, req *sdk.Request) ([]sdk.Model, error) {
	var models []sdk.Model
	token := ""
	for range maxModelPages {
		path := "models?pageSize=1000"
		if token != "" {
			path += "&pageToken=" + url.QueryEscape(token)
		}
		hreq, err := a.newRequest(ctx, http.MethodGet, path, req, nil)
		if err != nil {
			return nil, err
		}
		hresp, err := a.client.Do(hreq)
		if err != nil {
			return nil, a.callError(req, "list models", err)
		}
		body, err := io.ReadAll(io.LimitReader(hresp.Body, maxModelsBody))
		_ = hresp.Body.Close()
		if err != nil {
			return nil, a.callError(req, "list models", err)
		}
		if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
			return nil, &sdk.Error{Result: Classify(hresp.StatusCode, body),
				Message: sdk.Redact("gemini: list models: upstream answered "+hresp.Status+": "+errorMessage(body), req.Secret)}
		}
		page, next, err := parseModels(body)
		if err != nil {
			return nil, &sdk.Error{Result: abi.ServerError, Message: "gemini: list models: " + err.Error()}
		}
		models = append(models, page...)
		if token = next; token == "" {
			return models, nil
		}
	}
	return models, nil
}

// newRequest builds an upstream request to path under the request's base
// URL, with its headers and secret.
func (a *Adapter) newRequest(ctx context.Context, method, path string, req *sdk.Request, body []byte) (*http.Request, error) {
	base := req.BaseURL
	if base == "" {
		base = a.baseURL
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	hreq, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+"/"+path, r)
	if err != nil {
		return nil, &sdk.Error{Result: abi.BadRequest, Message: sdk.Redact("gemini: build request: "+err.Error(), req.Secret)}
	}
	hreq.Header = upstreamHeader(req.Header, req.Secret)
	return hreq, nil
}

// callError classifies a failed upstream call, and logs it.
func (a *Adapter) callError(req *sdk.Request, what string, err error) error {
	e := &sdk.Error{Result: sdk.ClassifyError(err), Message: sdk.Redact("gemini: "+what+": "+err.Error(), req.Secret)}
	a.log.Debug("upstream call failed", "endpoint", req.Endpoint, "result", e.Result, "error", e.Message)
	return e
}

// checkRequest refuses a request the adapter cannot serve.
func checkRequest(req *sdk.Request) error {
	switch {
	case req.Format != "" && req.Format != sdk.FormatOpenAI:
		return &sdk.Error{Result: abi.BadRequest, Message: "gemini: unsupported format " + quote(req.Format)}
	case req.Endpoint != sdk.EndpointChatCompletions:
		return &sdk.Error{Result: abi.BadRequest, Message: "gemini: unsupported endpoint " + quote(req.Endpoint) + ": only chat/completions translates"}
	}
	return nil
}

// Interface guards
var _ sdk.Adapter = (*Adapter)(nil)
