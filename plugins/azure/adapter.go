package azure

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// DefaultAPIVersion is the api-version sent when neither the request nor
// the [Config] names one: the latest generally available version of Azure
// OpenAI's data-plane inference API.
const DefaultAPIVersion = "2024-10-21"

// Version is the adapter's version, reported in its [sdk.Info].
const Version = "0.1.0"

// Headers a request (usually from the provider's configured headers)
// sets the API version and deployments with. They are never sent to Azure.
const (
	// HeaderAPIVersion overrides the api-version, e.g. "2025-04-01-preview".
	HeaderAPIVersion = "X-Apikeyrouter-Azure-Api-Version"
	// HeaderDeployments maps model names to deployment names,
	// "gpt-4o=prod-gpt4o, gpt-4o-mini=mini"; a model it does not name is
	// its own deployment.
	HeaderDeployments = "X-Apikeyrouter-Azure-Deployments"
)

// Config configures an [Adapter]. The zero value is ready to use; requests
// then must carry their base URL.
type Config struct {
	// HTTPClient makes the upstream calls; see [openai.Config].
	HTTPClient *http.Client
	// BaseURL is the resource's endpoint, e.g.
	// "https://my-resource.openai.azure.com", used for requests without
	// one. Empty means none: such a request is refused.
	BaseURL string
	// APIVersion is the api-version for requests that do not set
	// [HeaderAPIVersion]. Empty means [DefaultAPIVersion].
	APIVersion string
	// Deployments maps model names to deployment names, for requests that
	// do not set [HeaderDeployments]. A model it does not name is its own
	// deployment.
	Deployments map[string]string
	// Logger receives debug lines about upstream calls (never a secret).
	// Nil means no logging.
	Logger hclog.Logger
	// Now is the clock that turns reset instants into durations. Nil means
	// time.Now.
	Now func() time.Time
}

// Adapter calls Azure OpenAI deployments. Azure speaks OpenAI's format, so
// the adapter is the OpenAI adapter with Azure's addresses and api-key
// header; it is safe for concurrent use.
type Adapter struct {
	*openai.Adapter
	cfg Config
}

// New returns an adapter configured by cfg.
func New(cfg Config) *Adapter {
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	a := &Adapter{cfg: cfg}
	a.Adapter = openai.New(openai.Config{HTTPClient: cfg.HTTPClient, Logger: cfg.Logger, Now: cfg.Now, Rewrite: a.rewrite})
	return a
}

// Info reports the adapter: OpenAI's format, served natively by Azure
// (only the address and the key's header differ, not the bodies), so it
// is wire-compatible.
func (a *Adapter) Info(ctx context.Context) (sdk.Info, error) {
	info, err := a.Adapter.Info(ctx)
	info.Name, info.Version, info.DefaultBaseURL = "azure", Version, a.cfg.BaseURL
	return info, err
}

// rewrite sends a call to its deployment ({base}/openai/deployments/{deployment}/{endpoint}),
// or the model listing to {base}/openai/models, with the api-version and
// the secret in the api-key header.
func (a *Adapter) rewrite(r *http.Request, endpoint string, req *sdk.Request) error {
	base := req.BaseURL
	if base == "" {
		base = a.cfg.BaseURL
	}
	if base == "" {
		return &sdk.Error{Result: abi.BadRequest, Message: "azure: no base URL: set the resource's endpoint (AZURE_API_BASE)"}
	}
	version := r.Header.Get(HeaderAPIVersion)
	if version == "" {
		version = a.cfg.APIVersion
	}
	path := "/openai/models"
	if endpoint != sdk.EndpointModels {
		model := req.Model
		if model == "" {
			model = gjson.GetBytes(req.Body, "model").String()
		}
		deployment, err := a.deployment(model, r.Header.Get(HeaderDeployments))
		if err != nil {
			return err
		}
		path = "/openai/deployments/" + url.PathEscape(deployment) + "/" + endpoint
	}
	u, err := url.Parse(strings.TrimRight(base, "/") + path)
	if err != nil {
		return &sdk.Error{Result: abi.BadRequest, Message: "azure: base URL: " + err.Error()}
	}
	u.RawQuery = url.Values{"api-version": {version}}.Encode()
	r.URL, r.Host = u, u.Host
	r.Header.Del(HeaderAPIVersion)
	r.Header.Del(HeaderDeployments)
	r.Header.Del("Authorization")
	if req.Secret != "" {
		r.Header.Set("Api-Key", req.Secret)
	}
	return nil
}

// deployment returns model's deployment: by the request's map (spec, in
// [HeaderDeployments]'s form), else the configured map, else the model.
func (a *Adapter) deployment(model, spec string) (string, error) {
	if model == "" {
		return "", &sdk.Error{Result: abi.BadRequest, Message: "azure: model: missing (it names the deployment)"}
	}
	if spec != "" {
		m, err := ParseDeployments(spec)
		if err != nil {
			return "", &sdk.Error{Result: abi.BadRequest, Message: "azure: " + HeaderDeployments + ": " + err.Error()}
		}
		if d, ok := m[model]; ok {
			return d, nil
		}
		return model, nil
	}
	if d, ok := a.cfg.Deployments[model]; ok {
		return d, nil
	}
	return model, nil
}

// Interface guards
var _ sdk.Adapter = (*Adapter)(nil)
