package router

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// target is what a call's model name routes to.
type target struct {
	// model is the providers' name for the model; provider the pin, the
	// caller's or the name's prefix (empty: any provider).
	model    string
	provider abi.ProviderID
	// prefixed reports that model was cut from "<provider>/<model>".
	prefixed bool
	// served lists the providers of model, sorted; nil when none is known.
	served []abi.ProviderID
}

// resolveLocked finds what a model name routes to, pin being the caller's
// (the caller holds cfg). A name some provider serves is taken as it is:
// OpenRouter's own ids hold a slash ("openai/gpt-4o"). Else, as
// LLM-API-Key-Proxy's clients write them, "<provider>/<name>" where that
// provider serves <name> is <name> pinned to it; a pin to another
// provider is refused rather than guessed. A name neither way is left for
// the core to refuse.
func (r *Router) resolveLocked(model string, pin abi.ProviderID) (target, error) {
	t := target{model: model, provider: pin, served: r.modelProviders[model]}
	if len(t.served) > 0 {
		return t, nil
	}
	prefix, name, ok := strings.Cut(model, "/")
	if !ok {
		return t, nil
	}
	served := r.modelProviders[name]
	if _, found := slices.BinarySearch(served, abi.ProviderID(prefix)); !found {
		return t, nil
	}
	if pin != "" && pin != abi.ProviderID(prefix) {
		return t, &Refusal{Code: abi.InvalidArgument,
			Message: fmt.Sprintf("model %q names provider %s, but the call is pinned to provider %s", model, prefix, pin)}
	}
	return target{model: name, provider: abi.ProviderID(prefix), prefixed: true, served: served}, nil
}

// resolve is resolveLocked for a caller that does not hold cfg.
func (r *Router) resolve(model string, pin abi.ProviderID) (target, error) {
	r.cfg.RLock()
	defer r.cfg.RUnlock()
	return r.resolveLocked(model, pin)
}
