package router

import (
	"context"
	"net/http"
	"slices"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// Provider is how the router reaches one provider's API.
type Provider struct {
	ID abi.ProviderID
	// Adapter carries out the calls: in-process or a plugin subprocess.
	// Nil means the router can route for the provider but not call it:
	// the router sets none for a provider [MissingBase] reports.
	Adapter sdk.Adapter
	// AdapterName names the adapter, for the record (e.g. "openai").
	AdapterName string
	// BaseURL is the API root; empty means the adapter's default.
	BaseURL string
	// Header holds extra headers for every call (e.g. an organisation).
	Header http.Header
}

// vendorAPIs are the API roots the vendors' adapters call for a provider
// with no base URL. The azure adapter has no default (it refuses each
// call instead); a third-party adapter decides for itself.
var vendorAPIs = map[string]string{
	"openai":    "https://api.openai.com/v1",
	"anthropic": "https://api.anthropic.com/v1",
	"gemini":    "https://generativelanguage.googleapis.com/v1beta",
}

// VendorAPI is the API root a vendor's adapter (openai, anthropic, gemini)
// calls for a provider with no base URL; "" for any other adapter.
func VendorAPI(adapter string) string { return vendorAPIs[adapter] }

// MissingBase reports whether a provider lacks the base URL it needs: it
// has none, and its adapter is a vendor's (openai, anthropic, gemini),
// which then calls that vendor's API, vendorAPI — so a key of "mycorp"
// through the openai adapter would go to api.openai.com. The vendor
// itself (provider "openai" through the openai adapter) needs none.
//
// The configuration refuses such a provider, and the router attaches no
// adapter to one, whether it is set or recovered from the data directory.
func MissingBase(id abi.ProviderID, adapter, baseURL string) (vendorAPI string, missing bool) {
	api, vendor := vendorAPIs[adapter]
	if baseURL != "" || !vendor || string(id) == adapter {
		return "", false
	}
	return api, true
}

// attach gives p its adapter: its own, else the one AdapterName names —
// none if [MissingBase] reports p, whose keys would go to the wrong host.
func (r *Router) attach(p *Provider) {
	if _, missing := MissingBase(p.ID, p.AdapterName, p.BaseURL); missing {
		p.Adapter = nil
		return
	}
	if p.Adapter == nil {
		p.Adapter = r.adapters[p.AdapterName]
	}
}

// SetProvider registers a provider with the core and sets how to reach it.
// A provider [MissingBase] reports is set, and stored, without an adapter.
func (r *Router) SetProvider(p Provider) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.applyLocked(context.Background(), abi.Event{Provider: &abi.Provider{ID: p.ID}}); err != nil {
		return err
	}
	if r.persist != nil {
		if err := r.persist.saveProvider(&p); err != nil {
			return err
		}
	}
	cp := p
	r.attach(&cp)
	r.cfg.Lock()
	r.providers[p.ID] = &cp
	r.cfg.Unlock()
	return nil
}

// Provider returns a provider's settings.
func (r *Router) Provider(id abi.ProviderID) (Provider, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.providers[id]
	if !ok {
		return Provider{}, false
	}
	return *p, true
}

// Providers returns every provider's settings, sorted by id.
func (r *Router) Providers() []Provider {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Provider, 0, len(r.providers))
	for _, p := range r.providers {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b Provider) int {
		if a.ID < b.ID {
			return -1
		}
		if a.ID > b.ID {
			return 1
		}
		return 0
	})
	return out
}

// noteModel records which providers serve a model name (caller holds mu).
func (r *Router) noteModel(p abi.ProviderID, name string) {
	r.cfg.Lock()
	defer r.cfg.Unlock()
	list := r.modelProviders[name]
	if i, found := slices.BinarySearch(list, p); !found {
		r.modelProviders[name] = slices.Insert(list, i, p)
	}
}

// forgetModel drops a provider from a model's providers (caller holds mu).
func (r *Router) forgetModel(p abi.ProviderID, name string) {
	r.cfg.Lock()
	defer r.cfg.Unlock()
	list := slices.DeleteFunc(r.modelProviders[name], func(x abi.ProviderID) bool { return x == p })
	if len(list) == 0 {
		delete(r.modelProviders, name)
	} else {
		r.modelProviders[name] = list
	}
}

// Models returns the model names some provider serves, sorted.
func (r *Router) Models() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.modelProviders))
	for name := range r.modelProviders {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// estimator returns the first provider of a target that has an adapter,
// to estimate the prompt's tokens before a provider is chosen; nil if none
// (the caller holds cfg).
func (r *Router) estimator(t target) *Provider {
	for _, id := range t.served {
		if t.provider != "" && id != t.provider {
			continue
		}
		if p := r.providers[id]; p != nil && p.Adapter != nil {
			return p
		}
	}
	return nil
}
