package proxy_test

import (
	"net/http"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// TestAdminRefusesToChangeTheConfig checks that what the configuration
// defines, re-registered from it at every start, is read-only but for a
// key's state, which persists.
func TestAdminRefusesToChangeTheConfig(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(2)
	for _, b := range []abi.Budget{
		{ID: "monthly", Period: abi.Monthly, Limit: 100 * abi.Dollars},
		{ID: "team-a-cap", Scope: abi.ScopeClient, Target: "team-a", Period: abi.Daily, Limit: abi.Dollars},
	} {
		if err := g.r.SetBudget(b); err != nil {
			t.Fatal(err)
		}
	}
	g.srv.Close()
	g.cfg.ConfigKeys = map[abi.KeyID]string{"k1": "environment variable OPENAI_API_KEY_1"}
	g.cfg.ConfigBudgets = map[abi.BudgetID]string{"monthly": "config file", "team-a-cap": "config file"}
	g.serve()
	before := g.key("k1")

	for _, tc := range []struct {
		method, path string
		body         any
		source       string
	}{
		{"PATCH", "/admin/v1/keys/k1", `{"weight":5}`, "environment variable OPENAI_API_KEY_1"},
		{"POST", "/admin/v1/keys/k1/rotate", `{"secret":"sk-rotated-0123456789"}`, "environment variable OPENAI_API_KEY_1"},
		{"DELETE", "/admin/v1/keys/k1", nil, "environment variable OPENAI_API_KEY_1"},
		{"PUT", "/admin/v1/budgets/monthly", `{"period":"daily","limit_usd":"1"}`, "config file"},
		{"DELETE", "/admin/v1/budgets/monthly", nil, "config file"},
	} {
		g.fails(tc.method, tc.path, tc.body, http.StatusConflict, "defined_by_config", tc.source, "change it there and restart")
	}
	if after := g.key("k1"); after.Weight != before.Weight || after.Secret != before.Secret {
		t.Fatalf("a refused change changed k1: %+v", after)
	}
	if s, _ := g.r.Secret("k1"); s != "sk-test-1" {
		t.Fatalf("a refused rotation left secret %q", s)
	}
	if l := g.budgetLimit("monthly"); l != 100*abi.Dollars {
		t.Fatalf("a refused PUT left limit %d", l)
	}

	// The key's state persists across restarts: it stays the operator's.
	for _, action := range []string{"disable", "enable", "revoke"} {
		g.ok("POST", "/admin/v1/keys/k1/"+action, nil, http.StatusOK, nil)
	}
	// What the configuration does not define stays changeable.
	g.ok("PATCH", "/admin/v1/keys/k2", `{"weight":5}`, http.StatusOK, nil)
	g.ok("DELETE", "/admin/v1/keys/k2", nil, http.StatusOK, nil)

	// Deleting a client keeps the budgets the configuration scopes to it.
	g.ok("POST", "/admin/v1/clients", `{"id":"team-a","budgets":[{"period":"weekly","limit_usd":"2"}]}`, http.StatusCreated, nil)
	var deleted struct {
		BudgetsDeleted []string `json:"budgets_deleted"`
	}
	g.ok("DELETE", "/admin/v1/clients/team-a", nil, http.StatusOK, &deleted)
	if len(deleted.BudgetsDeleted) != 1 || deleted.BudgetsDeleted[0] != "team-a-weekly" {
		t.Fatalf("budgets deleted with the client: %v", deleted.BudgetsDeleted)
	}
	g.ok("GET", "/admin/v1/budgets/team-a-cap", nil, http.StatusOK, nil)
}
