package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/store"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// vendorAdapter stands in for the openai adapter, which calls
// api.openai.com when a request has no base URL: it records where each
// call would go, and with which secret.
type vendorAdapter struct {
	sdk.Adapter
	mu    sync.Mutex
	calls []string // base URL (empty: the vendor's API) and secret
}

func (*vendorAdapter) EstimateTokens(context.Context, *sdk.Request) (int64, error) { return 10, nil }

func (a *vendorAdapter) Do(_ context.Context, req *sdk.Request) (*sdk.Response, error) {
	a.mu.Lock()
	a.calls = append(a.calls, req.BaseURL+" "+req.Secret)
	a.mu.Unlock()
	return &sdk.Response{Status: 200, Result: abi.Success, Header: http.Header{"Content-Type": {"application/json"}},
		Body: sdk.NewBody(io.NopCloser(strings.NewReader(`{}`)), func() abi.Usage { return abi.Usage{OutputTokens: 1} })}, nil
}

func (a *vendorAdapter) called() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.calls...)
}

// TestRecoveredProviderWithoutBaseIsNotCalled: a provider an earlier
// version stored with the openai adapter and no base URL ("mycorp", from
// a configuration the start now refuses) was given that adapter again
// when recovered, and its key went to api.openai.com. It is recovered
// without an adapter now, its record kept as it was; a base URL set for
// it attaches the adapter again. The vendor itself ("openai" through the
// openai adapter) keeps the vendor's API.
func TestRecoveredProviderWithoutBaseIsNotCalled(t *testing.T) {
	dir := t.TempDir()
	key := []byte("test master key")
	vendor := &vendorAdapter{}
	open := func() *Router {
		t.Helper()
		r, err := New(Options{DataDir: dir, MasterKey: key, Adapters: map[string]sdk.Adapter{"openai": vendor}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	r := open()
	for _, p := range []abi.ProviderID{"mycorp", "openai"} {
		must(r.RegisterProvider(p))
		must(r.RegisterModel(abi.Model{Provider: p, Name: string(p) + "-model"}))
		must(r.RegisterKey(abi.Key{ID: abi.KeyID(p) + "-1", Provider: p}, "sk-"+string(p)+"-secret"))
	}
	must(r.Close())

	// The records as an earlier version stored them: in the clear, no base URL.
	st, err := store.Open(dir, store.Options{MasterKey: key})
	must(err)
	old, _ := json.Marshal(providerRecord{Adapter: "openai"})
	must(st.Put(kindProvider, "mycorp", old))
	must(st.Put(kindProvider, "openai", old))
	must(st.Close())

	r = open()
	if p, ok := r.Provider("mycorp"); !ok || p.Adapter != nil || p.AdapterName != "openai" || p.BaseURL != "" {
		t.Errorf("mycorp recovered as %+v (found %v); want its record, no adapter attached", p, ok)
	}
	_, err = r.Do(context.Background(), Call{Model: "mycorp-model", Body: []byte(`{"model":"mycorp-model"}`)})
	if err == nil || len(vendor.called()) != 0 {
		t.Fatalf("mycorp-model: err %v, calls %q; want refused, nothing sent (the adapter's default is the vendor's API)", err, vendor.called())
	}
	a, err := r.Do(context.Background(), Call{Model: "openai-model", Body: []byte(`{"model":"openai-model"}`)})
	must(err)
	a.Body.Close()
	if got := vendor.called(); len(got) != 1 || got[0] != " sk-openai-secret" {
		t.Fatalf("openai-model: calls %q; want one to the vendor's own API", got)
	}
	must(r.Close())

	// Nothing stored is lost: the record is as it was, and a base URL
	// set for it lets the provider be called.
	r = open()
	defer r.Close()
	if p, _ := r.Provider("mycorp"); p.AdapterName != "openai" || p.Adapter != nil {
		t.Fatalf("mycorp after a second restart: %+v", p)
	}
	must(r.SetProvider(Provider{ID: "mycorp", AdapterName: "openai", BaseURL: "http://10.0.0.1/v1"}))
	a, err = r.Do(context.Background(), Call{Model: "mycorp-model", Body: []byte(`{"model":"mycorp-model"}`)})
	must(err)
	a.Body.Close()
	if got := vendor.called(); len(got) != 2 || got[1] != "http://10.0.0.1/v1 sk-mycorp-secret" {
		t.Fatalf("mycorp-model with a base URL: calls %q", got)
	}
}

// TestSetProviderWithoutBaseIsNotCalled: the router attaches no vendor
// adapter to a provider that would reach the vendor for want of a base
// URL, however it is set.
func TestSetProviderWithoutBaseIsNotCalled(t *testing.T) {
	vendor := &vendorAdapter{}
	r, err := New(Options{Adapters: map[string]sdk.Adapter{"openai": vendor}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.SetProvider(Provider{ID: "mycorp", AdapterName: "openai"}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterModel(abi.Model{Provider: "mycorp", Name: "m"}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterKey(abi.Key{ID: "k", Provider: "mycorp"}, "sk-mycorp-secret"); err != nil {
		t.Fatal(err)
	}
	if p, _ := r.Provider("mycorp"); p.Adapter != nil {
		t.Errorf("mycorp set with an adapter attached: %+v", p)
	}
	if _, err := r.Do(context.Background(), Call{Model: "m", Body: []byte(`{"model":"m"}`)}); err == nil || len(vendor.called()) != 0 {
		t.Fatalf("m: err %v, calls %q; want refused, nothing sent", err, vendor.called())
	}
}

func TestMissingBase(t *testing.T) {
	for _, tc := range []struct {
		id            abi.ProviderID
		adapter, base string
		want          string // the vendor API the keys would go to; empty: none
	}{
		{"mycorp", "openai", "", "https://api.openai.com/v1"},
		{"vllm", "openai", "", "https://api.openai.com/v1"},
		{"anthropic", "openai", "", "https://api.openai.com/v1"},
		{"claude-eu", "anthropic", "", "https://api.anthropic.com/v1"},
		{"g2", "gemini", "", "https://generativelanguage.googleapis.com/v1beta"},
		{"openai", "openai", "", ""},
		{"anthropic", "anthropic", "", ""},
		{"gemini", "gemini", "", ""},
		{"mycorp", "openai", "http://10.0.0.1/v1", ""},
		{"azure", "azure", "", ""},
		{"echo", "echo", "", ""},
		{"mycorp", "", "", ""},
	} {
		api, missing := MissingBase(tc.id, tc.adapter, tc.base)
		if api != tc.want || missing != (tc.want != "") {
			t.Errorf("MissingBase(%q, %q, %q) = %q, %v; want %q", tc.id, tc.adapter, tc.base, api, missing, tc.want)
		}
	}
}

// TestUncallableProviderIsPassedOver: the core may choose a key whose
// provider cannot be called (no adapter); the key is passed over, as an
// attempt abandoned — not counted against the call's tries nor its key's
// health, up to passOverFree of them — and another provider's key of the
// model serves the call. With none left, the refusal names the providers
// passed over.
func TestUncallableProviderIsPassedOver(t *testing.T) {
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// fleet is a router whose model m has n keys at mycorp, which has no
	// base URL, and one at other; the cost goal puts mycorp's first.
	fleet := func(n int) (*Router, *vendorAdapter) {
		vendor := &vendorAdapter{}
		r, err := New(Options{Adapters: map[string]sdk.Adapter{"openai": vendor}})
		must(err)
		t.Cleanup(func() { r.Close() })
		must(r.SetProvider(Provider{ID: "mycorp", AdapterName: "openai"}))
		must(r.SetProvider(Provider{ID: "other", AdapterName: "openai", BaseURL: "http://10.0.0.2/v1"}))
		for _, p := range []abi.ProviderID{"mycorp", "other"} {
			must(r.RegisterModel(abi.Model{Provider: p, Name: "m", Price: abi.Price{Input: 1000, Output: 1000}}))
		}
		for i := range n {
			must(r.RegisterKey(abi.Key{ID: abi.KeyID(fmt.Sprintf("mycorp-%d", i)), Provider: "mycorp", Discount: 5000}, "sk-mycorp"))
		}
		must(r.RegisterKey(abi.Key{ID: "other-1", Provider: "other"}, "sk-other"))
		return r, vendor
	}
	call := func(r *Router) (*Answer, error) {
		return r.Do(context.Background(), Call{Model: "m", Objective: "cost", Body: []byte(`{"model":"m"}`)})
	}

	// As many of mycorp's keys first as a call's tries.
	r, vendor := fleet(3)
	a, err := call(r)
	must(err)
	a.Body.Close()
	if a.Decision.Key != "other-1" || a.Attempts != 1 {
		t.Fatalf("served by %s after %d attempts, want other-1 after 1", a.Decision.Key, a.Attempts)
	}
	if got := vendor.called(); len(got) != 1 || got[0] != "http://10.0.0.2/v1 sk-other" {
		t.Errorf("calls %q, want one to other", got)
	}
	for _, k := range r.Snapshot().Keys {
		for _, p := range k.Pools {
			if p.FailStreak != 0 || p.InFlight != 0 {
				t.Errorf("key %s, pool %s: fail streak %d, in flight %d; want neither", k.Key.ID, p.Name, p.FailStreak, p.InFlight)
			}
		}
	}
	_, err = r.Command(abi.Command{Op: abi.OpDisableKey, ID: "other-1"})
	must(err)
	_, err = call(r)
	var refusal *Refusal
	if !errors.As(err, &refusal) || refusal.Code != abi.NoEligibleKeys || !strings.Contains(refusal.Message, "passed over the keys of mycorp") {
		t.Fatalf("with only mycorp's keys: %v; want a no_eligible_keys refusal naming mycorp", err)
	}

	// Past passOverFree such keys, they count as tries: a call is not spent
	// on decisions, and it says why it found no key to call.
	r, vendor = fleet(passOverFree + r.maxAttempts)
	_, err = call(r)
	if !errors.As(err, &refusal) || refusal.Code != abi.NoEligibleKeys ||
		!strings.Contains(refusal.Message, "no key could be called: passed over the keys of mycorp") || len(vendor.called()) != 0 {
		t.Fatalf("with %d of mycorp's keys first: %v; want a no_eligible_keys refusal naming mycorp", passOverFree+r.maxAttempts, err)
	}
}
