package proxy

import (
	"net/http"
	"slices"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// modelView is a model name and the providers serving it.
type modelView struct {
	Name      string           `json:"name"`
	Providers []modelOfferView `json:"providers"`
}

// modelOfferView is one provider's offer of a model: prices in dollars
// per million tokens, limits and what the core learned.
type modelOfferView struct {
	Provider         abi.ProviderID `json:"provider"`
	InputUSDPerMTok  usdPerMTok     `json:"input_usd_per_mtok"`
	OutputUSDPerMTok usdPerMTok     `json:"output_usd_per_mtok"`
	// CachedInputUSDPerMTok is the price of cached prompt tokens (the
	// input price when the model declares none).
	CachedInputUSDPerMTok usdPerMTok `json:"cached_input_usd_per_mtok"`
	// Unpriced says no price is known (the prices above mean nothing): a
	// hard budget refuses the model.
	Unpriced        bool       `json:"unpriced,omitempty"`
	ContextWindow   int64      `json:"context_window,omitempty"`
	MaxOutputTokens int64      `json:"max_output_tokens,omitempty"`
	QuotaGroup      string     `json:"quota_group,omitempty"`
	Limits          abi.Limits `json:"limits"`
	// MeanOutputTokens is the core's running mean of output tokens per
	// answer, its estimate when a request has no max_tokens.
	MeanOutputTokens int64 `json:"mean_output_tokens,omitempty"`
}

// modelViews groups the snapshot's models by name, sorted by name, then
// provider.
func modelViews(snap *abi.Snapshot) []modelView {
	out := []modelView{}
	for _, ms := range snap.Models {
		m := &ms.Model
		i, found := slices.BinarySearchFunc(out, m.Name, func(v modelView, name string) int { return strings.Compare(v.Name, name) })
		if !found {
			out = slices.Insert(out, i, modelView{Name: m.Name})
		}
		cached := m.Price.CachedInput
		if cached == 0 {
			cached = m.Price.Input
		}
		out[i].Providers = append(out[i].Providers, modelOfferView{Provider: m.Provider,
			InputUSDPerMTok: usdPerMTok(m.Price.Input), OutputUSDPerMTok: usdPerMTok(m.Price.Output),
			CachedInputUSDPerMTok: usdPerMTok(cached), Unpriced: m.Unpriced, ContextWindow: int64(m.ContextWindow),
			MaxOutputTokens: int64(m.MaxOutputTokens), QuotaGroup: m.QuotaGroup, Limits: m.Limits,
			MeanOutputTokens: int64(ms.MeanOutput)})
	}
	return out
}

// listModels serves GET /admin/v1/models.
func (a *admin) listModels(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"models": modelViews(a.s.router.Snapshot())})
}
