package proxy_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// clientJSON is a virtual client key as the admin API shows it.
type clientJSON struct {
	ID                 string       `json:"id"`
	Models             []string     `json:"models"`
	RPM                int64        `json:"rpm"`
	RequestsLastMinute int64        `json:"requests_last_minute"`
	HasToken           bool         `json:"has_token"`
	InCore             bool         `json:"in_core"`
	Created            string       `json:"created"`
	Budgets            []budgetJSON `json:"budgets"`
	Token              *string      `json:"token"`
}

func TestAdminClientTokenLifecycle(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	if err := g.r.RegisterModel(abi.Model{Provider: "openai", Name: "gpt-4o", Price: abi.Price{Input: 2_500_000, Output: 10_000_000}}); err != nil {
		t.Fatal(err)
	}
	var c clientJSON
	g.ok("POST", "/admin/v1/clients", map[string]any{"id": "team-a", "models": []string{"gpt-4o-mini"},
		"budgets": []map[string]any{{"period": "monthly", "limit_usd": "5"}}}, http.StatusCreated, &c)
	if c.Token == nil || !strings.HasPrefix(*c.Token, "ark-") || len(*c.Token) < 40 {
		t.Fatalf("created %+v", c)
	}
	token := *c.Token
	if c.ID != "team-a" || !slices.Equal(c.Models, []string{"gpt-4o-mini"}) || !c.HasToken || !c.InCore || c.Created == "" ||
		len(c.Budgets) != 1 || c.Budgets[0].ID != "team-a-monthly" || c.Budgets[0].Scope != "client" || c.Budgets[0].Target != "team-a" {
		t.Fatalf("created %+v", c)
	}
	// Only the token's hash is kept.
	recs, err := g.r.Records("client")
	if err != nil || len(recs) != 1 || recs[0].ID != "team-a" || strings.Contains(string(recs[0].Value), token) ||
		!strings.Contains(string(recs[0].Value), proxy.HashToken(token)) {
		t.Fatalf("records %q (%v)", recs, err)
	}

	resp, raw := g.chat(token, "gpt-4o-mini")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("chat with the client's token: %d %s", resp.StatusCode, raw)
	}
	resp, raw = g.chat(token, "gpt-4o")
	checkAPIError(t, resp.StatusCode, raw, http.StatusForbidden, "model_not_allowed")

	var list struct{ Clients []clientJSON }
	g.ok("GET", "/admin/v1/clients", nil, http.StatusOK, &list)
	if len(list.Clients) != 1 || list.Clients[0].Token != nil || list.Clients[0].RequestsLastMinute != 1 ||
		list.Clients[0].Budgets[0].SpentUSD == "0" {
		t.Fatalf("list %+v", list)
	}
	var got clientJSON
	g.ok("GET", "/admin/v1/clients/team-a", nil, http.StatusOK, &got)
	if got.Token != nil || got.ID != "team-a" || !got.HasToken {
		t.Fatalf("get %+v", got)
	}

	var del struct {
		Deleted        bool
		BudgetsDeleted []string `json:"budgets_deleted"`
	}
	g.ok("DELETE", "/admin/v1/clients/team-a", nil, http.StatusOK, &del)
	if !del.Deleted || !slices.Equal(del.BudgetsDeleted, []string{"team-a-monthly"}) {
		t.Fatalf("delete answered %+v", del)
	}
	resp, raw = g.chat(token, "gpt-4o-mini")
	checkAPIError(t, resp.StatusCode, raw, http.StatusUnauthorized, "invalid_api_key")
	g.fails("GET", "/admin/v1/clients/team-a", nil, http.StatusNotFound, "unknown_client")
	g.fails("DELETE", "/admin/v1/clients/team-a", nil, http.StatusNotFound, "unknown_client")
	if s := g.r.Snapshot(); len(s.Clients) != 0 || len(s.Budgets) != 0 {
		t.Fatalf("the core still holds %+v and %+v", s.Clients, s.Budgets)
	}
	if recs, _ := g.r.Records("client"); len(recs) != 0 {
		t.Fatalf("records left: %q", recs)
	}
}

func TestAdminClientRPM(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	var c clientJSON
	g.ok("POST", "/admin/v1/clients", map[string]any{"rpm": 1}, http.StatusCreated, &c)
	if c.ID != "client-1" || c.RPM != 1 || len(c.Models) != 0 || c.Models == nil {
		t.Fatalf("created %+v", c)
	}
	if resp, raw := g.chat(*c.Token, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
		t.Fatalf("first chat: %d %s", resp.StatusCode, raw)
	}
	resp, raw := g.chat(*c.Token, "gpt-4o-mini")
	checkAPIError(t, resp.StatusCode, raw, http.StatusTooManyRequests, "client_rate_limited")
	// The sliding minute frees up by the end of the next minute slot.
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 121 {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	// The proxy's own key has no such limit.
	if resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
		t.Fatalf("chat with the proxy key: %d %s", resp.StatusCode, raw)
	}
}

func TestAdminClientErrors(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.ok("POST", "/admin/v1/clients", map[string]any{"id": "taken"}, http.StatusCreated, nil)
	g.ok("POST", "/admin/v1/budgets", map[string]any{"id": "b-taken", "period": "daily", "limit_usd": 1}, http.StatusCreated, nil)
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
		msg    []string
	}{
		{"taken id", map[string]any{"id": "taken"}, 409, "already_exists", []string{"taken"}},
		{"bad id", map[string]any{"id": "a b"}, 400, "invalid_argument", []string{"client id"}},
		{"negative rpm", map[string]any{"id": "x", "rpm": -1}, 400, "invalid_argument", []string{"rpm"}},
		{"bad model", map[string]any{"id": "x", "models": []string{"a b"}}, 400, "invalid_argument", []string{"model"}},
		{"budget with a scope", map[string]any{"id": "x", "budgets": []map[string]any{{"scope": "global", "period": "daily", "limit_usd": 1}}},
			400, "invalid_argument", []string{`"budgets[0]"`}},
		{"budget without a period", map[string]any{"id": "x", "budgets": []map[string]any{{"limit_usd": 1}}},
			400, "invalid_argument", []string{`"budgets[0].period"`}},
		{"budget with a mistyped period", `{"id":"x","budgets":[{"period":5,"limit_usd":"1"}]}`,
			400, "invalid_argument", []string{`"budgets[0].period"`, "string"}},
		{"budget with an unknown field", `{"id":"x","budgets":[{"period":"daily","limit_usd":"1"},{"period":"daily","limit_usd":"1","foo":1}]}`,
			400, "invalid_argument", []string{`"budgets[1].foo"`, "unknown field"}},
		{"budget not an object", `{"id":"x","budgets":[null]}`, 400, "invalid_argument", []string{`"budgets[0]"`, "object"}},
		{"budget with a bad amount", map[string]any{"id": "x", "budgets": []map[string]any{{"period": "daily", "limit_usd": "-1"}}},
			400, "invalid_argument", []string{`"budgets[0].limit_usd"`}},
		{"budget id taken", map[string]any{"id": "x", "budgets": []map[string]any{{"id": "b-taken", "period": "daily", "limit_usd": 1}}},
			409, "already_exists", []string{"b-taken"}},
		{"two budgets, one id", map[string]any{"id": "x", "budgets": []map[string]any{{"period": "daily", "limit_usd": 1}, {"period": "daily", "limit_usd": 2}}},
			409, "already_exists", []string{"budgets[1]", "x-daily"}},
		// The core refuses the budget after the client was set up: the
		// creation is undone.
		{"budget the core refuses", map[string]any{"id": "x", "budgets": []map[string]any{{"period": "rolling", "window": "30s", "limit_usd": 1}}},
			400, "invalid_argument", []string{"window"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g.fails("POST", "/admin/v1/clients", tc.body, tc.status, tc.code, tc.msg...)
		})
	}
	s := g.r.Snapshot()
	if len(s.Clients) != 1 || len(s.Budgets) != 1 {
		t.Fatalf("refused creations left clients %+v, budgets %+v", s.Clients, s.Budgets)
	}
	if recs, _ := g.r.Records("client"); len(recs) != 1 {
		t.Fatalf("refused creations left records %q", recs)
	}
	g.ok("POST", "/admin/v1/clients", map[string]any{"id": "x"}, http.StatusCreated, nil)
}

func TestAdminClientsSurviveARestart(t *testing.T) {
	opts := router.Options{DataDir: t.TempDir(), MasterKey: []byte("admin test master key"),
		Adapters: map[string]sdk.Adapter{"openai": openai.New(openai.Config{})}, Now: func() time.Time { return adminNow }}
	g := newAdminRig(t, opts)
	g.addKeys(1)
	var c clientJSON
	g.ok("POST", "/admin/v1/clients", map[string]any{"id": "durable"}, http.StatusCreated, &c)
	g.srv.Close()
	if err := g.r.Close(); err != nil {
		t.Fatal(err)
	}

	r, err := router.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if err := r.PutRecord("client", "broken", []byte(`{"sha256":"not hex"}`)); err != nil {
		t.Fatal(err)
	}
	g.r = r
	g.serve()
	resp, raw := g.chat(*c.Token, "gpt-4o-mini")
	checkAPIError(t, resp.StatusCode, raw, http.StatusUnauthorized, "invalid_api_key") // not loaded yet
	if err := g.server.LoadClients(); err == nil || !strings.Contains(err.Error(), `"broken"`) {
		t.Fatalf("LoadClients: %v, want the broken record named", err)
	}
	if resp, raw := g.chat(*c.Token, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
		t.Fatalf("chat after the restart: %d %s", resp.StatusCode, raw)
	}
	var list struct{ Clients []clientJSON }
	g.ok("GET", "/admin/v1/clients", nil, http.StatusOK, &list)
	if len(list.Clients) != 2 || list.Clients[0].ID != "broken" || list.Clients[0].HasToken || list.Clients[0].InCore ||
		list.Clients[1].ID != "durable" || !list.Clients[1].HasToken || !list.Clients[1].InCore {
		t.Fatalf("clients after the restart %+v", list.Clients)
	}
	// A token whose client the core lost can still be revoked.
	g.ok("DELETE", "/admin/v1/clients/broken", nil, http.StatusOK, nil)
}
