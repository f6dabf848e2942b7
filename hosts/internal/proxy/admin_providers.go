package proxy

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// providerView is a provider as the admin API shows it.
type providerView struct {
	ID abi.ProviderID `json:"id"`
	// Adapter names the adapter; AdapterAttached says whether the router
	// can call the provider (without one it routes but cannot call).
	Adapter         string `json:"adapter,omitempty"`
	AdapterAttached bool   `json:"adapter_attached"`
	// BaseURL is the API root, any password in it redacted; empty means
	// the adapter's default.
	BaseURL string `json:"base_url,omitempty"`
	// Header holds the extra headers sent on every call, values masked.
	Header map[string]string `json:"header,omitempty"`
	Keys   int               `json:"keys"`
	Models []string          `json:"models"`
}

// hasProvider reports whether the core knows a provider.
func hasProvider(snap *abi.Snapshot, id abi.ProviderID) bool {
	return slices.ContainsFunc(snap.Providers, func(p abi.Provider) bool { return p.ID == id })
}

// providerViews returns every provider the core knows, with the settings
// the router keeps for it, sorted by id.
func providerViews(snap *abi.Snapshot, settings []router.Provider) []providerView {
	out := make([]providerView, 0, len(snap.Providers))
	for _, p := range snap.Providers {
		v := providerView{ID: p.ID, Models: []string{}}
		if i := slices.IndexFunc(settings, func(s router.Provider) bool { return s.ID == p.ID }); i >= 0 {
			s := &settings[i]
			v.Adapter, v.AdapterAttached, v.BaseURL = s.AdapterName, s.Adapter != nil, RedactURL(s.BaseURL)
			for name, values := range s.Header {
				if v.Header == nil {
					v.Header = map[string]string{}
				}
				v.Header[name] = mask(strings.Join(values, ", "))
			}
		}
		for _, k := range snap.Keys {
			if k.Key.Provider == p.ID {
				v.Keys++
			}
		}
		for _, m := range snap.Models {
			if m.Model.Provider == p.ID {
				v.Models = append(v.Models, m.Model.Name)
			}
		}
		out = append(out, v)
	}
	return out
}

// RedactURL hides a URL's password and its query's values (some
// providers take the key as ?key= or ?api_key=), for the admin API and
// logs; a URL that does not parse is masked whole.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return mask(s)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for name, values := range q {
			for i := range values {
				values[i] = "xxxxx"
			}
			q[name] = values
		}
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// listProviders serves GET /admin/v1/providers.
func (a *admin) listProviders(w http.ResponseWriter, _ *http.Request) {
	views := providerViews(a.s.router.Snapshot(), a.s.router.Providers())
	writeJSON(w, http.StatusOK, map[string]any{"providers": views})
}
