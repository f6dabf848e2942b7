package proxy

import (
	"errors"
	"fmt"
	"slices"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// forecastView is the core's quota forecast for one key on one model: the
// key's entry among the candidates of a detailed dry-run decision, or why
// that decision left the key out.
type forecastView struct {
	Model    string `json:"model"`
	Eligible bool   `json:"eligible"`
	// Capacity and HeadroomPct are set when the key is eligible.
	Capacity    *abi.Capacity `json:"capacity,omitempty"`
	HeadroomPct *percent      `json:"headroom_pct,omitempty"`
	// Reason says why an ineligible key was left out: an exclusion reason
	// (cooling_down, forecast, budget …) or, when the core refused the
	// request before weighing keys, the refusal's code (budget_exceeded …).
	// Until is when it ends, if known.
	Reason string `json:"reason,omitempty"`
	Until  stamp  `json:"until,omitempty"`
}

// forecaster asks the core for one detailed dry-run decision per
// (provider, model) and reads each key's forecast from it: the forecast is
// the core's own, not recomputed here.
type forecaster struct {
	r         *router.Router
	snap      *abi.Snapshot
	decisions map[[2]string]*abi.Decision
}

func newForecaster(r *router.Router, snap *abi.Snapshot) *forecaster {
	return &forecaster{r: r, snap: snap, decisions: map[[2]string]*abi.Decision{}}
}

// forKey returns the key's forecast on each model of its provider that it
// may serve, in the snapshot's order (by name).
func (f *forecaster) forKey(k *abi.Key) ([]forecastView, error) {
	out := []forecastView{}
	for _, ms := range f.snap.Models {
		m := &ms.Model
		if m.Provider != k.Provider || len(k.Models) > 0 && !slices.Contains(k.Models, m.Name) {
			continue
		}
		d, err := f.decision(m.Provider, m.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, forecastOf(d, k.ID, m.Name))
	}
	return out, nil
}

// decision returns the dry-run decision for a model pinned to a provider.
// A refusal is a decision too: its exclusions say why.
func (f *forecaster) decision(p abi.ProviderID, model string) (*abi.Decision, error) {
	id := [2]string{string(p), model}
	if d, ok := f.decisions[id]; ok {
		return d, nil
	}
	d, err := f.r.Route(router.Request{Model: model, Provider: p, DryRun: true, Detail: true})
	var refusal *router.Refusal
	if err != nil && !errors.As(err, &refusal) {
		return nil, fmt.Errorf("forecast %s/%s: %w", p, model, err)
	}
	f.decisions[id] = d
	return d, nil
}

// forecastOf reads one key's forecast from a detailed decision.
func forecastOf(d *abi.Decision, key abi.KeyID, model string) forecastView {
	v := forecastView{Model: model}
	for _, c := range d.Candidates {
		if c.Key == key {
			capacity, headroom := c.Capacity, percent(c.Headroom)
			v.Eligible, v.Capacity, v.HeadroomPct = true, &capacity, &headroom
			return v
		}
	}
	for _, e := range d.Excluded {
		if e.Key == key {
			v.Reason, v.Until = e.Reason.String(), stamp(e.Until)
			return v
		}
	}
	v.Reason, v.Until = d.Code.String(), stamp(d.RetryAt)
	return v
}
