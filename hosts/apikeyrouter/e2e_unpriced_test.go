package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// TestHardBudgetRefusesDiscoveredUnpricedModels: a model the provider
// lists that no price table has ("mock-gpt" here) was discovered at price
// zero and served under a hard budget without limit, charged nothing. It
// is registered as unpriced now: the admin API shows it so, the start
// warns, and a request for it is refused 429 budget_exceeded saying it has
// no price, while the priced model is served.
func TestHardBudgetRefusesDiscoveredUnpricedModels(t *testing.T) {
	f := newFleet(t) // its budget "monthly" is hard
	f.editConfig(t, func(cfg string) string { return strings.Replace(cfg, "discover: false", "discover: true", 1) })
	p := start(t, f.env...)
	waitFor(t, "mock-gpt to be discovered", 10*time.Second, func() bool {
		var list struct {
			Models []struct {
				Name      string
				Providers []struct{ Unpriced bool }
			}
		}
		p.adminGet("/admin/v1/models", &list)
		for _, m := range list.Models {
			if m.Name == "mock-gpt" && len(m.Providers) == 1 && m.Providers[0].Unpriced {
				return true
			}
		}
		return false
	})
	chat := func(model string) (int, string) {
		resp, body := p.call("POST", "/v1/chat/completions", proxyKey, "application/json",
			[]byte(`{"model":"`+model+`","messages":[{"role":"user","content":"hi"}],"max_tokens":10}`))
		return resp.StatusCode, body
	}
	status, body := chat("mock-gpt")
	var e struct {
		Error struct{ Code, Message string }
	}
	_ = json.Unmarshal([]byte(body), &e)
	if status != 429 || e.Error.Code != "budget_exceeded" || !strings.Contains(e.Error.Message, `model "mock-gpt": it has no price`) {
		t.Fatalf("mock-gpt, unpriced, under a hard budget: %d %s; want 429 budget_exceeded saying it has no price", status, body)
	}
	if status, body := chat("gpt-4o-mini"); status != 200 {
		t.Fatalf("gpt-4o-mini, priced: %d %s", status, body)
	}
	waitFor(t, "the warning about unpriced models", 10*time.Second, func() bool {
		return strings.Contains(p.logs.String(), "discovered models have no price")
	})
}

// TestStoredZeroPricedModelIsUnpricedAtStart: a model an earlier version
// discovered is stored at price zero without the unpriced mark; the next
// start marks it, unless a price table prices it.
func TestStoredZeroPricedModelIsUnpricedAtStart(t *testing.T) {
	const masterKey = "e2e-master-key-unpriced-0123456789"
	f := newFleet(t, "APIKEYROUTER_ENCRYPTION_KEY="+masterKey)
	r := f.storedState(t, masterKey)
	for _, err := range []error{
		r.RegisterProvider("mock"),
		r.RegisterModel(abi.Model{Provider: "mock", Name: "mock-gpt"}),
		r.RegisterModel(abi.Model{Provider: "mock", Name: "gpt-4o-mini"}),
		r.Close(),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	p := start(t, f.env...)
	var list struct {
		Models []struct {
			Name      string
			Providers []struct {
				Unpriced bool
			}
		}
	}
	p.adminGet("/admin/v1/models", &list)
	got := map[string]bool{}
	for _, m := range list.Models {
		for _, o := range m.Providers {
			got[m.Name] = o.Unpriced
		}
	}
	if !got["mock-gpt"] || got["gpt-4o-mini"] {
		t.Fatalf("unpriced after the start: %v; want mock-gpt only (gpt-4o-mini has a configured price)", got)
	}
}
