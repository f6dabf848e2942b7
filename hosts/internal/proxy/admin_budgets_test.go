package proxy_test

import (
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// budgetJSON is a budget as the admin API shows it.
type budgetJSON struct {
	ID           string `json:"id"`
	Scope        string `json:"scope"`
	Target       string `json:"target"`
	Period       string `json:"period"`
	Window       string `json:"window"`
	LimitUSD     string `json:"limit_usd"`
	Enforcement  string `json:"enforcement"`
	SpentUSD     string `json:"spent_usd"`
	ReservedUSD  string `json:"reserved_usd"`
	RemainingUSD string `json:"remaining_usd"`
	PeriodStart  string `json:"period_start"`
	ResetsAt     string `json:"resets_at"`
}

// nano reads a decimal dollar string as nano-USD, exactly.
func nanoUSD(t *testing.T, usd string) int64 {
	t.Helper()
	r, ok := new(big.Rat).SetString(usd)
	if !ok {
		t.Fatalf("%q is not a decimal", usd)
	}
	r.Mul(r, big.NewRat(int64(abi.Dollars), 1))
	if !r.IsInt() {
		t.Fatalf("%q is finer than a nano-dollar", usd)
	}
	return r.Num().Int64()
}

// budgetLimit returns a budget's limit as the core holds it.
func (g *adminRig) budgetLimit(id abi.BudgetID) abi.NanoUSD {
	g.t.Helper()
	for _, b := range g.r.Snapshot().Budgets {
		if b.Budget.ID == id {
			return b.Budget.Limit
		}
	}
	g.t.Fatalf("no budget %q in the core", id)
	return 0
}

func TestAdminBudgetAmountsAreExact(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.ok("POST", "/admin/v1/budgets", `{"id":"exact","period":"daily","limit_usd":"0"}`, http.StatusCreated, nil)
	for _, tc := range []struct {
		limit string // as written in the JSON body
		want  abi.NanoUSD
		shown string
	}{
		{`"12.5"`, 12_500_000_000, "12.5"},
		{`12.50`, 12_500_000_000, "12.5"},
		{`"100"`, 100 * abi.Dollars, "100"},
		{`0.000000001`, 1, "0.000000001"},
		{`"1234567.123456789"`, 1_234_567_123_456_789, "1234567.123456789"},
		{`"9223372036.854775807"`, abi.NanoUSD(1<<63 - 1), "9223372036.854775807"},
		{`0`, 0, "0"},
	} {
		var b budgetJSON
		g.ok("PUT", "/admin/v1/budgets/exact", `{"period":"daily","limit_usd":`+tc.limit+`}`, http.StatusOK, &b)
		if got := g.budgetLimit("exact"); got != tc.want || b.LimitUSD != tc.shown {
			t.Fatalf("limit_usd %s: the core holds %d, shown %q; want %d, %q", tc.limit, got, b.LimitUSD, tc.want, tc.shown)
		}
	}
	for _, tc := range []struct{ limit, msg string }{
		{`"-1"`, "negative"},
		{`-0.5`, "negative"},
		{`"1.0000000001"`, "9 decimals"},
		{`0.0000000001`, "9 decimals"},
		{`"abc"`, "decimal"},
		{`"1e3"`, "decimal"},
		{`1e3`, "decimal"},
		{`""`, "decimal"},
		{`" 1"`, "decimal"},
		{`"1."`, "decimal"},
		{`".5"`, "decimal"},
		{`null`, "required"},
		{`true`, "decimal"},
		{`"9223372036.854775808"`, "too large"},
		{`99999999999`, "too large"},
	} {
		g.fails("PUT", "/admin/v1/budgets/exact", `{"period":"daily","limit_usd":`+tc.limit+`}`,
			http.StatusBadRequest, "invalid_argument", `"limit_usd"`, tc.msg)
	}
	g.fails("POST", "/admin/v1/budgets", `{"id":"none","period":"daily"}`, http.StatusBadRequest, "invalid_argument", `"limit_usd"`, "required")
	if got := g.budgetLimit("exact"); got != 0 {
		t.Fatalf("a refused amount changed the limit to %d", got)
	}
}

func TestAdminBudgetLifecycle(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	var b budgetJSON
	g.ok("POST", "/admin/v1/budgets", map[string]any{"id": "monthly", "period": "monthly", "limit_usd": "100"}, http.StatusCreated, &b)
	month := time.Date(adminNow.Year(), adminNow.Month(), 1, 0, 0, 0, 0, time.UTC)
	if b.ID != "monthly" || b.Scope != "global" || b.Target != "" || b.Period != "monthly" || b.Window != "" ||
		b.LimitUSD != "100" || b.Enforcement != "hard" || b.SpentUSD != "0" || b.ReservedUSD != "0" || b.RemainingUSD != "100" ||
		b.PeriodStart != adminTime(month) || b.ResetsAt != adminTime(month.AddDate(0, 1, 0)) {
		t.Fatalf("created %+v", b)
	}
	g.fails("POST", "/admin/v1/budgets", map[string]any{"id": "monthly", "period": "daily", "limit_usd": 1}, http.StatusConflict, "already_exists", "monthly")

	if resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
		t.Fatalf("chat: %d %s", resp.StatusCode, raw)
	}
	g.ok("GET", "/admin/v1/budgets/monthly", nil, http.StatusOK, &b)
	spent := g.r.Snapshot().Budgets[0].Spent
	if spent == 0 || nanoUSD(t, b.SpentUSD) != int64(spent) || nanoUSD(t, b.RemainingUSD) != int64(100*abi.Dollars-spent) {
		t.Fatalf("after a call: %+v; the core says spent %d", b, spent)
	}
	// A replacement with the same scope and period keeps the spend.
	g.ok("PUT", "/admin/v1/budgets/monthly", map[string]any{"period": "monthly", "limit_usd": "50", "enforcement": "soft"}, http.StatusOK, &b)
	if b.LimitUSD != "50" || b.Enforcement != "soft" || nanoUSD(t, b.SpentUSD) != int64(spent) {
		t.Fatalf("replaced %+v", b)
	}
	g.ok("PUT", "/admin/v1/budgets/per-key", map[string]any{"id": "per-key", "scope": "key", "target": "k1", "period": "weekly", "limit_usd": 2.5}, http.StatusCreated, &b)
	if b.Scope != "key" || b.Target != "k1" || b.Period != "weekly" {
		t.Fatalf("per-key %+v", b)
	}
	var list struct{ Budgets []budgetJSON }
	g.ok("GET", "/admin/v1/budgets", nil, http.StatusOK, &list)
	if len(list.Budgets) != 2 || list.Budgets[0].ID != "monthly" || list.Budgets[1].ID != "per-key" {
		t.Fatalf("list %+v", list)
	}
	g.ok("DELETE", "/admin/v1/budgets/per-key", nil, http.StatusOK, nil)
	g.fails("GET", "/admin/v1/budgets/per-key", nil, http.StatusNotFound, "unknown_budget", "per-key")
	g.fails("DELETE", "/admin/v1/budgets/per-key", nil, http.StatusNotFound, "unknown_budget")
}

func TestAdminRollingBudget(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	var b budgetJSON
	g.ok("POST", "/admin/v1/budgets", map[string]any{"id": "hour", "period": "rolling", "window": "1h", "limit_usd": "1"}, http.StatusCreated, &b)
	bucket := adminNow.Truncate(time.Minute) // a 1 h window has 1 min buckets
	if b.Window != "1h0m0s" || b.PeriodStart != adminTime(bucket.Add(time.Minute-time.Hour)) || b.ResetsAt != "" {
		t.Fatalf("fresh rolling budget %+v", b)
	}
	if resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
		t.Fatalf("chat: %d %s", resp.StatusCode, raw)
	}
	g.ok("GET", "/admin/v1/budgets/hour", nil, http.StatusOK, &b)
	if b.SpentUSD == "0" || b.ResetsAt != adminTime(bucket.Add(time.Hour)) {
		t.Fatalf("rolling budget after a call %+v", b)
	}
}

func TestAdminBudgetErrors(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
		msg                      []string
	}{
		{"no id", "POST", "/admin/v1/budgets", `{"period":"daily","limit_usd":1}`, 400, "invalid_argument", []string{`"id"`}},
		{"no period", "POST", "/admin/v1/budgets", `{"id":"x","limit_usd":1}`, 400, "invalid_argument", []string{`"period"`, "required"}},
		{"bad period", "POST", "/admin/v1/budgets", `{"id":"x","period":"fortnightly","limit_usd":1}`, 400, "invalid_argument", []string{`"period"`, "fortnightly"}},
		{"bad scope", "POST", "/admin/v1/budgets", `{"id":"x","scope":"team","period":"daily","limit_usd":1}`, 400, "invalid_argument", []string{`"scope"`}},
		{"bad enforcement", "POST", "/admin/v1/budgets", `{"id":"x","period":"daily","enforcement":"strict","limit_usd":1}`, 400, "invalid_argument", []string{`"enforcement"`}},
		{"bad window", "POST", "/admin/v1/budgets", `{"id":"x","period":"rolling","window":"1 week","limit_usd":1}`, 400, "invalid_argument", []string{`"window"`}},
		{"rolling without window", "POST", "/admin/v1/budgets", `{"id":"x","period":"rolling","limit_usd":1}`, 400, "invalid_argument", []string{"window"}},
		{"window on a calendar period", "POST", "/admin/v1/budgets", `{"id":"x","period":"daily","window":"1h","limit_usd":1}`, 400, "invalid_argument", []string{"window"}},
		{"global with a target", "POST", "/admin/v1/budgets", `{"id":"x","target":"k1","period":"daily","limit_usd":1}`, 400, "invalid_argument", []string{"target"}},
		{"scoped without a target", "POST", "/admin/v1/budgets", `{"id":"x","scope":"provider","period":"daily","limit_usd":1}`, 400, "invalid_argument", []string{"target"}},
		{"put with another id", "PUT", "/admin/v1/budgets/x", `{"id":"y","period":"daily","limit_usd":1}`, 400, "invalid_argument", []string{`"id"`, `"y"`}},
		{"get unknown", "GET", "/admin/v1/budgets/nope", ``, 404, "unknown_budget", []string{"nope"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			g.fails(tc.method, tc.path, body, tc.status, tc.code, tc.msg...)
		})
	}
	if n := len(g.r.Snapshot().Budgets); n != 0 {
		t.Fatalf("refused requests left %d budgets", n)
	}
}

func TestAdminHardBudgetRefusesCalls(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	g.ok("POST", "/admin/v1/budgets", map[string]any{"id": "zero", "period": "daily", "limit_usd": 0}, http.StatusCreated, nil)
	resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini")
	checkAPIError(t, resp.StatusCode, raw, http.StatusTooManyRequests, "budget_exceeded")
	var d decisionJSON
	g.ok("POST", "/admin/v1/explain", map[string]any{"model": "gpt-4o-mini"}, http.StatusOK, &d)
	if d.Routed || d.Code != "budget_exceeded" || len(d.Excluded) != 1 || d.Excluded[0].Reason != "budget" {
		t.Fatalf("explain under a spent budget: %+v", d)
	}
}
