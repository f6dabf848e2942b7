package sdk

import (
	"context"
	"net/http"
)

// Adapter carries out calls to one provider's API on the host's behalf. The
// host picks the key and hands its secret to each call; the adapter does the
// provider HTTP, streams the answer back and reports what the provider said
// about usage and rate limits.
//
// An Adapter runs either in-process or behind the plugin boundary (see
// [AdapterPlugin]); both must behave the same, which the sdktest kit checks.
// Implementations must be safe for concurrent use.
//
// Errors: every method returns an [*Error] (or an error [ClassifyError]
// understands) whose message never contains the secret.
type Adapter interface {
	// Info describes the adapter. It needs no network.
	Info(ctx context.Context) (Info, error)
	// EstimateTokens estimates the input tokens of req.Body before the call,
	// for budgeting and context-window checks. It needs no network and no
	// secret.
	EstimateTokens(ctx context.Context, req *Request) (int64, error)
	// Do sends req to the provider. It returns once the provider's status
	// and headers have arrived; the body then streams through
	// [Response.Body]. An error means there was no answer at all (the
	// connection failed, the deadline passed, the request was refused before
	// it was sent); a provider error status is a *Response, not an error.
	// Cancelling ctx aborts the call, including a body being read.
	Do(ctx context.Context, req *Request) (*Response, error)
	// Models lists the models the provider offers to req.Secret. Only
	// req.BaseURL, req.Secret and req.Header are used.
	Models(ctx context.Context, req *Request) ([]Model, error)
}

// ExactEstimator is an [Adapter] whose token estimates may be exact
// counts: EstimateIsExact reports whether [Adapter.EstimateTokens] counts
// req's prompt exactly (with the provider's own tokenizer). A host takes
// any other estimate as approximate, and a hard budget then reserves an
// upper bound of the prompt instead (one token per byte of the body).
type ExactEstimator interface {
	EstimateIsExact(req *Request) bool
}

// Info describes an adapter.
type Info struct {
	// Name identifies the adapter, e.g. "openai".
	Name string
	// Version is the adapter's own version.
	Version string
	// Formats are the client request formats it accepts, e.g. [FormatOpenAI].
	Formats []string
	// Endpoints are the endpoints [Adapter.Do] serves, e.g.
	// [EndpointChatCompletions].
	Endpoints []string
	// WireCompatible reports that the provider speaks the first of Formats
	// natively: bodies pass through unchanged apart from the model name and
	// usage reporting, so a host may run the adapter in-process.
	WireCompatible bool
	// DefaultBaseURL is used when a [Request] has no BaseURL.
	DefaultBaseURL string
}

// Model is one model a provider offers.
type Model struct {
	// ID is the name to put in a request's "model" field.
	ID string
	// OwnedBy is the provider's owner label; may be empty.
	OwnedBy string
}

// Client request formats.
const (
	// FormatOpenAI is OpenAI's API: /v1/chat/completions and friends.
	FormatOpenAI = "openai"
)

// Endpoints, as paths relative to a provider's base URL (which ends in /v1
// or similar).
const (
	EndpointChatCompletions = "chat/completions"
	EndpointCompletions     = "completions"
	EndpointEmbeddings      = "embeddings"
	EndpointModels          = "models"
)

// Request is one call the host asks an adapter to make.
type Request struct {
	// Endpoint is the client endpoint, e.g. [EndpointChatCompletions].
	Endpoint string
	// Format is the client body's format, e.g. [FormatOpenAI].
	Format string
	// Model is the provider's name for the model. When set and different
	// from the body's "model", the adapter sends this one. Empty means the
	// body's.
	Model string
	// Body is the client's request body. Adapters must not modify it in
	// place: the host may retry it with another key.
	Body []byte
	// BaseURL is the provider's API root, e.g. "https://api.groq.com/openai/v1".
	// Empty means [Info.DefaultBaseURL].
	BaseURL string
	// Secret is the provider API key for this call. It must reach the
	// provider only in its authentication header, and never appear in a log
	// line, error message or panic.
	Secret string
	// Header holds extra headers to send upstream (e.g. OpenAI-Organization).
	// Adapters ignore authentication, framing and hop-by-hop fields here.
	Header http.Header
}
