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
	// Nil means the router can route for the provider but not call it.
	Adapter sdk.Adapter
	// AdapterName names the adapter, for the record (e.g. "openai").
	AdapterName string
	// BaseURL is the API root; empty means the adapter's default.
	BaseURL string
	// Header holds extra headers for every call (e.g. an organisation).
	Header http.Header
}

// SetProvider registers a provider with the core and sets how to reach it.
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
	if cp.Adapter == nil {
		cp.Adapter = r.adapters[cp.AdapterName]
	}
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
