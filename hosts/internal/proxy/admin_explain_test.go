package proxy_test

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// decisionJSON is POST /admin/v1/explain's answer.
type decisionJSON struct {
	Routed           bool     `json:"routed"`
	Code             string   `json:"code"`
	Message          string   `json:"message"`
	RetryAt          string   `json:"retry_at"`
	Key              string   `json:"key"`
	Provider         string   `json:"provider"`
	Model            string   `json:"model"`
	Goal             string   `json:"goal"`
	Fallbacks        []string `json:"fallbacks"`
	EstimatedCostUSD string   `json:"estimated_cost_usd"`
	Eligible         int64    `json:"eligible"`
	Candidates       []struct {
		Key         string  `json:"key"`
		ScorePct    float64 `json:"score_pct"`
		CostUSD     string  `json:"cost_usd"`
		SuccessPct  float64 `json:"success_pct"`
		HeadroomPct float64 `json:"headroom_pct"`
		Capacity    string  `json:"capacity"`
	} `json:"candidates"`
	Excluded []struct {
		Key    string `json:"key"`
		Reason string `json:"reason"`
		Until  string `json:"until"`
	} `json:"excluded"`
	ExcludedTotal int64  `json:"excluded_total"`
	Explanation   string `json:"explanation"`
}

// encodedSnapshot is the core's state as bytes, to compare states.
func (g *adminRig) encodedSnapshot() []byte {
	g.t.Helper()
	b, err := abi.Encode(g.r.Snapshot())
	if err != nil {
		g.t.Fatal(err)
	}
	return b
}

func TestAdminExplainChangesNothing(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(3)
	g.ok("POST", "/admin/v1/keys/k3/disable", nil, http.StatusOK, nil)
	g.ok("POST", "/admin/v1/budgets", map[string]any{"id": "all", "period": "daily", "limit_usd": "10"}, http.StatusCreated, nil)
	before := g.encodedSnapshot()
	for _, objective := range []any{nil, "cost", "fairness", map[string]any{"primary": "cost", "secondary": []string{"latency"}}} {
		var d decisionJSON
		g.ok("POST", "/admin/v1/explain", map[string]any{"model": "gpt-4o-mini", "objective": objective,
			"input_tokens": 1000, "max_tokens": 500}, http.StatusOK, &d)
		if !d.Routed || d.Code != "ok" || d.Provider != "openai" || d.Model != "gpt-4o-mini" || d.Eligible != 2 ||
			len(d.Candidates) != 2 || d.Candidates[0].Key != d.Key || len(d.Fallbacks) != 1 || d.Explanation == "" {
			t.Fatalf("objective %v: decision %+v", objective, d)
		}
		// 1000 input tokens at $0.15/M and 500 output at $0.60/M.
		if d.EstimatedCostUSD != "0.00045" || d.Candidates[0].CostUSD != "0.00045" || d.Candidates[0].SuccessPct != 100 ||
			d.Candidates[0].Capacity != "abundant" {
			t.Fatalf("objective %v: candidates %+v, estimate %s", objective, d.Candidates, d.EstimatedCostUSD)
		}
		if d.ExcludedTotal != 1 || len(d.Excluded) != 1 || d.Excluded[0].Key != "k3" || d.Excluded[0].Reason != "disabled" {
			t.Fatalf("objective %v: excluded %+v", objective, d.Excluded)
		}
	}
	if after := g.encodedSnapshot(); !bytes.Equal(before, after) {
		t.Fatal("explain changed the core's state")
	}
	for _, s := range []string{"sk-test-1", "sk-test-2", "sk-test-3"} {
		if n := g.mock.Requests(s); n != 0 {
			t.Fatalf("explain called the provider with %s %d times", s, n)
		}
	}
}

func TestAdminExplainRefusals(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	g.ok("POST", "/admin/v1/clients", map[string]any{"id": "narrow", "models": []string{"gpt-4o"}}, http.StatusCreated, nil)
	for _, tc := range []struct {
		name string
		body map[string]any
		code string
	}{
		{"unknown model", map[string]any{"model": "no-such-model"}, "unknown_model"},
		{"model not allowed", map[string]any{"model": "gpt-4o-mini", "client": "narrow"}, "model_not_allowed"},
		{"unknown client", map[string]any{"model": "gpt-4o-mini", "client": "ghost"}, "unknown_client"},
		{"tags no key carries", map[string]any{"model": "gpt-4o-mini", "tags": []string{"gpu", "eu"}}, "no_eligible_keys"},
	} {
		var d decisionJSON
		g.ok("POST", "/admin/v1/explain", tc.body, http.StatusOK, &d)
		if d.Routed || d.Code != tc.code || d.Message == "" || d.Key != "" {
			t.Fatalf("%s: %+v", tc.name, d)
		}
	}
	for _, tc := range []struct {
		body  string
		field string
	}{
		{`{"model":"gpt-4o-mini","objective":"cheapest"}`, `"objective"`},
		{`{"model":"gpt-4o-mini","objective":{"primary":"cost","extra":1}}`, `"objective"`},
		{`{"model":"gpt-4o-mini","objective":5}`, `"objective"`},
		{`{"model":"gpt-4o-mini","objective":{"primary":"cost","weights":{"cost":0}}}`, `field "objective": weights sum to zero`},
		{`{"model":"gpt-4o-mini","input_tokens":-1}`, `"input_tokens"`},
		{`{"model":"gpt-4o-mini","max_tokens":-1}`, `"max_tokens"`},
	} {
		g.fails("POST", "/admin/v1/explain", tc.body, http.StatusBadRequest, "invalid_argument", tc.field)
	}
	g.fails("POST", "/admin/v1/explain", `{"model":"gpt-4o-mini","provider":"not an id"}`, http.StatusBadRequest, "invalid_argument", "provider")
	g.fails("POST", "/admin/v1/explain", `{"model":"gpt-4o-mini","tags":["eu","bad tag"]}`, http.StatusBadRequest, "invalid_argument", `"tags[1]"`, "bad tag")
	g.fails("POST", "/admin/v1/explain", `{"model":"gpt-4o-mini","provider":"nope"}`, http.StatusNotFound, "unknown_provider", "nope")
	// The core's own refusal of a malformed request is an error too, with
	// the core's message.
	tags := make([]string, 65)
	for i := range tags {
		tags[i] = fmt.Sprintf("t%02d", i)
	}
	g.fails("POST", "/admin/v1/explain", map[string]any{"model": "gpt-4o-mini", "tags": tags}, http.StatusBadRequest, "too_large", "65 tags, at most 64")
}
