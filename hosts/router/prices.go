package router

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/goccy/go-yaml"
)

//go:embed prices.yaml
var bundledPrices []byte

// PriceEntry is one model's price and limits as a configuration file writes
// them: dollars per million tokens, and token counts.
type PriceEntry struct {
	Input       float64 `yaml:"input" json:"input"`
	Output      float64 `yaml:"output" json:"output"`
	CachedInput float64 `yaml:"cached_input" json:"cached_input"`
	Context     int64   `yaml:"context" json:"context"`
	MaxOutput   int64   `yaml:"max_output" json:"max_output"`
	// QuotaGroup names a limit the model shares with others (optional).
	QuotaGroup string `yaml:"quota_group" json:"quota_group"`
}

// Model converts an entry into the core's model: prices in integer
// micro-USD per million tokens (exact for up to six decimals).
func (e PriceEntry) Model(provider abi.ProviderID, name string) (abi.Model, error) {
	micro := func(usd float64) (abi.MicroUSDPerMTok, error) {
		if usd < 0 || usd > 1e6 || math.IsNaN(usd) {
			return 0, fmt.Errorf("model %s/%s: price %v out of range", provider, name, usd)
		}
		return abi.MicroUSDPerMTok(math.Round(usd * 1e6)), nil
	}
	var m abi.Model
	var err error
	if m.Price.Input, err = micro(e.Input); err != nil {
		return m, err
	}
	if m.Price.Output, err = micro(e.Output); err != nil {
		return m, err
	}
	if m.Price.CachedInput, err = micro(e.CachedInput); err != nil {
		return m, err
	}
	m.Provider, m.Name = provider, name
	m.ContextWindow, m.MaxOutputTokens, m.QuotaGroup = abi.Tokens(e.Context), abi.Tokens(e.MaxOutput), e.QuotaGroup
	return m, nil
}

// PriceTable maps provider ids to model names to entries.
type PriceTable map[string]map[string]PriceEntry

// ParsePriceTable reads a price table in the bundled file's YAML format.
func ParsePriceTable(data []byte) (PriceTable, error) {
	var t PriceTable
	if err := yaml.UnmarshalWithOptions(data, &t, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("price table: %w", err)
	}
	return t, nil
}

// Models returns the table's models for the given providers (all when
// none are named), sorted by provider and name.
func (t PriceTable) Models(providers ...abi.ProviderID) ([]abi.Model, error) {
	var out []abi.Model
	for prov, models := range t {
		if len(providers) > 0 && !slices.Contains(providers, abi.ProviderID(prov)) {
			continue
		}
		for name, e := range models {
			m, err := e.Model(abi.ProviderID(prov), name)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b abi.Model) int {
		if c := strings.Compare(string(a.Provider), string(b.Provider)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// BundledPrices returns the price table that ships with ApiKeyRouter, for
// common OpenAI, Anthropic, Gemini, Groq and Mistral models.
func BundledPrices() PriceTable {
	t, err := ParsePriceTable(bundledPrices)
	if err != nil {
		panic(err) // the bundled file is tested
	}
	return t
}
