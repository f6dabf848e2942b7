package proxy

import (
	"fmt"
	"net/http"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// healthView summarises the router's state for an operator.
type healthView struct {
	// Status is "ok", or "degraded" with the Problems listed.
	Status   string   `json:"status"`
	Problems []string `json:"problems"`
	// Ready is the server's readiness (/readyz).
	Ready        bool                 `json:"ready"`
	Keys         keyCountsView        `json:"keys"`
	Providers    []providerHealthView `json:"providers"`
	Models       int                  `json:"models"`
	Budgets      int                  `json:"budgets"`
	Clients      int                  `json:"clients"`
	OpenAttempts int                  `json:"open_attempts"`
}

// keyCountsView counts keys by key-wide state (active, invalid, disabled,
// revoked) and their pools by pool state (active, probing, cooling_down,
// exhausted).
type keyCountsView struct {
	Total        int            `json:"total"`
	ByState      map[string]int `json:"by_state"`
	PoolsByState map[string]int `json:"pools_by_state"`
}

// providerHealthView is whether a provider can be called, and with how
// many keys.
type providerHealthView struct {
	ID              abi.ProviderID `json:"id"`
	Adapter         string         `json:"adapter,omitempty"`
	AdapterAttached bool           `json:"adapter_attached"`
	Keys            int            `json:"keys"`
	ActiveKeys      int            `json:"active_keys"`
}

func healthOf(snap *abi.Snapshot, providers []providerView, ready bool) healthView {
	h := healthView{Status: "ok", Problems: []string{}, Ready: ready, Providers: []providerHealthView{},
		Keys:   keyCountsView{Total: len(snap.Keys), ByState: map[string]int{}, PoolsByState: map[string]int{}},
		Models: len(snap.Models), Budgets: len(snap.Budgets), Clients: len(snap.Clients), OpenAttempts: len(snap.Attempts)}
	for _, s := range [...]abi.State{abi.Active, abi.Invalid, abi.Disabled, abi.Revoked} {
		h.Keys.ByState[s.String()] = 0
	}
	for _, s := range [...]abi.State{abi.Active, abi.Probing, abi.CoolingDown, abi.Exhausted} {
		h.Keys.PoolsByState[s.String()] = 0
	}
	active := map[abi.ProviderID]int{}
	for _, k := range snap.Keys {
		h.Keys.ByState[k.State.String()]++
		if k.State == abi.Active {
			active[k.Key.Provider]++
		}
		for _, p := range k.Pools {
			h.Keys.PoolsByState[p.State.String()]++
		}
	}
	for _, p := range providers {
		ph := providerHealthView{ID: p.ID, Adapter: p.Adapter, AdapterAttached: p.AdapterAttached, Keys: p.Keys, ActiveKeys: active[p.ID]}
		h.Providers = append(h.Providers, ph)
		switch {
		case ph.Keys > 0 && !ph.AdapterAttached:
			h.Problems = append(h.Problems, fmt.Sprintf("provider %s has %d key(s) but no adapter attached: it cannot be called", p.ID, ph.Keys))
		case ph.Keys > 0 && ph.ActiveKeys == 0:
			h.Problems = append(h.Problems, fmt.Sprintf("provider %s has no active key", p.ID))
		}
	}
	if len(snap.Keys) == 0 {
		h.Problems = append(h.Problems, "no key is registered")
	}
	if len(h.Problems) > 0 {
		h.Status = "degraded"
	}
	return h
}

// health serves GET /admin/v1/health. It answers 200 whatever the status:
// the body says whether the router is degraded.
func (a *admin) health(w http.ResponseWriter, _ *http.Request) {
	snap := a.s.router.Snapshot()
	writeJSON(w, http.StatusOK, healthOf(snap, providerViews(snap, a.s.router.Providers()), a.s.ready.Load()))
}
