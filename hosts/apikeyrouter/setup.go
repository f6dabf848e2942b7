package main

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/config"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// configure registers the configured providers, their models, keys and
// budgets with the router. It runs at every start: registrations are
// upserts, so a key keeps its state (cooldowns, spend) across restarts and
// the environment's secret replaces the stored one. Keys and budgets added
// through the admin API are left as they are.
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
				models = append(models, abi.Model{Provider: abi.ProviderID(id), Name: name})
			}
		}
		for _, m := range models {
			if err := r.RegisterModel(m); err != nil {
				return err
			}
		}
	}
	keyed := map[abi.ProviderID]bool{}
	for _, k := range cfg.Keys {
		if err := r.RegisterKey(k.Key, k.Secret); err != nil {
			return err // a core error names the key, never its secret
		}
		keyed[k.Provider] = true
	}
	for _, id := range ids {
		if p := cfg.Providers[id]; p.Keyless() && !keyed[abi.ProviderID(id)] && p.BaseURL != "" {
			// A local server needs no key; route to it through one that
			// has no secret.
			if err := r.RegisterKey(abi.Key{ID: abi.KeyID(id + "-0"), Provider: abi.ProviderID(id)}, ""); err != nil {
				return err
			}
		}
	}
	for _, b := range cfg.Budgets {
		if err := r.SetBudget(b); err != nil {
			return err
		}
	}
	log.Info("configured", "providers", len(ids), "keys", len(cfg.Keys), "budgets", len(cfg.Budgets))
	return nil
}

// discover asks each provider that allows it for the models its first
// key can use, and registers those the price table did not have (unpriced:
// they cost nothing in estimates until a price is configured).
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
		added := 0
		for _, m := range models {
			if known[served{abi.ProviderID(id), m.ID}] {
				continue
			}
			if err := r.RegisterModel(abi.Model{Provider: abi.ProviderID(id), Name: m.ID}); err != nil {
				log.Warn("discovered model not registered", "provider", id, "model", m.ID, "err", err)
				continue
			}
			added++
		}
		log.Info("models discovered", "provider", id, "listed", len(models), "added", added)
	}
}
