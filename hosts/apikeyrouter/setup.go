package main

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/config"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// configure registers the configured providers, their models, keys and
// budgets with the router. It runs at every start: registrations are
// upserts, so a key keeps its state (cooldowns, spend) across restarts and
// the environment's secret replaces the stored one. Keys and budgets added
// through the admin API are left as they are; those an earlier start's
// configuration defined and this one does not are removed. It logs the .env file read,
// each provider used without a key and each not called for want of a base
// URL, and warns when there is no key at all.
func configure(r *router.Router, cfg *config.Config, log *slog.Logger) error {
	prices := router.BundledPrices()
	for prov, models := range cfg.Prices {
		if prices[prov] == nil {
			prices[prov] = map[string]router.PriceEntry{}
		}
		for name, e := range models {
			prices[prov][name] = e
		}
	}
	snap := r.Snapshot()
	ids := make([]string, 0, len(cfg.Providers))
	for id := range cfg.Providers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		p := cfg.Providers[id]
		header := http.Header{}
		for k, v := range p.Headers {
			header.Set(k, v)
		}
		if err := r.SetProvider(router.Provider{ID: abi.ProviderID(id), AdapterName: p.Adapter, BaseURL: p.BaseURL, Header: header}); err != nil {
			return err
		}
		models, err := prices.Models(abi.ProviderID(id))
		if err != nil {
			return err
		}
		for _, name := range p.Models {
			if _, priced := prices[id][name]; !priced {
				models = append(models, abi.Model{Provider: abi.ProviderID(id), Name: name, Unpriced: true})
			}
		}
		// A model an earlier start discovered, stored before unpriced
		// models were told apart from free ones.
		for _, ms := range snap.Models {
			m := ms.Model
			if _, priced := prices[id][m.Name]; !priced && string(m.Provider) == id && !m.Unpriced && m.Price == (abi.Price{}) {
				m.Unpriced = true
				models = append(models, m)
			}
		}
		for _, m := range models {
			if err := r.RegisterModel(m); err != nil {
				return err
			}
		}
	}
	var keyless []config.Key
	for _, k := range cfg.Keys {
		if p := cfg.Providers[string(k.Provider)]; p != nil && p.Keyless() {
			keyless = append(keyless, k)
			continue
		}
		if err := registerConfigKey(r, k, log); err != nil {
			return err // a core error names the key, never its secret
		}
	}
	if err := registerKeyless(r, cfg, keyless, log); err != nil {
		return err
	}
	for _, b := range cfg.Budgets {
		if err := r.SetBudget(b.Budget); err != nil {
			return err
		}
	}
	if err := dropRemoved(r, cfg.KeySources(), cfg.BudgetSources(), log); err != nil {
		return err
	}
	if cfg.Dotenv.Path != "" {
		log.Info("environment variables read from a .env file", "path", cfg.Dotenv.Path,
			"set", cfg.Dotenv.Set, "already_set", cfg.Dotenv.AlreadySet)
	}
	reportMissingBases(r, log)
	log.Info("configured", "providers", len(ids), "keys", len(cfg.Keys), "budgets", len(cfg.Budgets))
	if usable(r.Snapshot()) == 0 {
		log.Warn("no API keys: no request can be served until some are added: set <PROVIDER>_API_KEY_<N> " +
			"(e.g. OPENAI_API_KEY_1) in the environment or a .env file, list keys in the APIKEYROUTER_CONFIG file, " +
			"give a local server's provider a base URL (e.g. OLLAMA_API_BASE), or POST them to /admin/v1/keys")
	}
	return nil
}

// registerKeyless registers the keys, with no secret, of the providers
// used without one (local servers), unless a provider has keys in the
// store by now (added through the admin API). The empty-secret key an
// earlier start registered for a provider that has keys now is removed,
// so that it is no longer routed to.
func registerKeyless(r *router.Router, cfg *config.Config, keyless []config.Key, log *slog.Logger) error {
	others := map[abi.ProviderID]bool{}
	stored := map[abi.KeyID]bool{}
	for _, k := range r.Snapshot().Keys {
		stored[k.Key.ID] = true
		if k.Key.ID != abi.KeyID(string(k.Key.Provider)+"-0") && k.State != abi.Revoked {
			others[k.Key.Provider] = true
		}
	}
	registered := map[abi.KeyID]bool{}
	for _, k := range keyless {
		if others[k.Provider] {
			continue
		}
		if err := r.RegisterKey(k.Key, ""); err != nil {
			return err
		}
		registered[k.ID] = true
		log.Info("provider used without a key", "provider", k.Provider, "key", k.ID,
			"base_url", proxy.RedactURL(cfg.Providers[string(k.Provider)].BaseURL), "defined_by", k.Source)
	}
	configured := cfg.KeySources()
	for _, id := range slices.Sorted(maps.Keys(cfg.Providers)) {
		kid := abi.KeyID(id + "-0")
		if registered[kid] || !stored[kid] {
			continue
		}
		if _, ok := configured[kid]; ok && !cfg.Providers[id].Keyless() {
			continue // a configured key with a secret
		}
		if secret, ok := r.Secret(kid); !ok || secret != "" {
			continue
		}
		if _, err := r.Command(abi.Command{Op: abi.OpRemoveKey, ID: string(kid)}); err != nil {
			return err
		}
		log.Info("provider has keys now: removed the key it was used without", "provider", id, "key", kid)
	}
	return nil
}

// registerConfigKey registers a key the configuration defines. When the
// configuration gives it a new secret, the key is rotated as the admin
// API rotates one: the replaced secret stays usable for
// router.DefaultRotationGrace, tried when the provider refuses the new one
// (a new key may take a while to work everywhere), and a key made invalid
// by the old secret is active again.
func registerConfigKey(r *router.Router, k config.Key, log *slog.Logger) error {
	stored, had := r.Secret(k.ID)
	if !had || stored == "" || stored == k.Secret {
		return r.RegisterKey(k.Key, k.Secret)
	}
	if err := r.RegisterKey(k.Key, stored); err != nil { // its settings, its secret as it was
		return err
	}
	if _, err := r.RotateSecret(k.ID, k.Secret, router.DefaultRotationGrace); err != nil {
		return err
	}
	log.Info("key rotated: the configuration gives it a new secret; the old one is tried when the provider refuses the new",
		"key", k.ID, "source", k.Source, "grace", router.DefaultRotationGrace.String())
	return nil
}

// reportMissingBases logs an error for each provider the router does not
// call because it has no base URL, so that its adapter would send its keys
// to another vendor's API (see [router.MissingBase]): one an earlier
// version stored, as the configuration refuses such a provider now. Its
// record and keys are kept; once its base URL is set, it is called again.
func reportMissingBases(r *router.Router, log *slog.Logger) {
	keys := map[abi.ProviderID]int{}
	for _, k := range r.Snapshot().Keys {
		if k.State != abi.Revoked {
			keys[k.Key.Provider]++
		}
	}
	for _, p := range r.Providers() {
		api, missing := router.MissingBase(p.ID, p.AdapterName, p.BaseURL)
		if !missing {
			continue
		}
		log.Error("provider not called: it has no base URL, so its adapter would send its keys to another vendor's API",
			"provider", p.ID, "adapter", p.AdapterName, "vendor_api", api, "keys", keys[p.ID],
			"fix", "set "+config.BaseSetting(string(p.ID))+" to the provider's API root and restart; until then its keys are passed over")
	}
}

// usable counts the keys that are not revoked.
func usable(s *abi.Snapshot) int {
	n := 0
	for _, k := range s.Keys {
		if k.State != abi.Revoked {
			n++
		}
	}
	return n
}

// discover asks each provider that allows it for the models its first
// key can use, and registers those the price table did not have, unpriced:
// they cost nothing in estimates until a price is configured, and a hard
// budget refuses them (it cannot bound their cost), which it warns about.
func discover(ctx context.Context, r *router.Router, cfg *config.Config, adapters map[string]sdk.Adapter, log *slog.Logger) {
	snap := r.Snapshot()
	type served struct {
		provider abi.ProviderID
		model    string
	}
	known := map[served]bool{}
	for _, m := range snap.Models {
		known[served{m.Model.Provider, m.Model.Name}] = true
	}
	hard := slices.ContainsFunc(snap.Budgets, func(b abi.BudgetState) bool { return b.Budget.Enforcement == abi.Hard })
	first := map[abi.ProviderID]abi.KeyID{}
	for _, k := range snap.Keys {
		if _, ok := first[k.Key.Provider]; !ok && k.State == abi.Active {
			first[k.Key.Provider] = k.Key.ID
		}
	}
	for id, p := range cfg.Providers {
		key, ok := first[abi.ProviderID(id)]
		a := adapters[p.Adapter]
		if !ok || a == nil || !p.DiscoverModels() {
			continue
		}
		secret, _ := r.Secret(key)
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		models, err := a.Models(cctx, &sdk.Request{BaseURL: p.BaseURL, Secret: secret})
		cancel()
		if err != nil {
			log.Warn("model discovery failed", "provider", id, "err", err)
			continue
		}
		var added []string
		for _, m := range models {
			if known[served{abi.ProviderID(id), m.ID}] {
				continue
			}
			if err := r.RegisterModel(abi.Model{Provider: abi.ProviderID(id), Name: m.ID, Unpriced: true}); err != nil {
				log.Warn("discovered model not registered", "provider", id, "model", m.ID, "err", err)
				continue
			}
			added = append(added, m.ID)
		}
		log.Info("models discovered", "provider", id, "listed", len(models), "added", len(added))
		if hard && len(added) > 0 {
			log.Warn("discovered models have no price: a hard budget refuses requests for them until one is configured (prices.<provider>.<model>, 0 for a free model)",
				"provider", id, "models", added[:min(len(added), 20)], "count", len(added))
		}
	}
}
