package proxy_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// keyJSON is a key as GET /admin/v1/keys/{id} shows it.
type keyJSON struct {
	ID       string     `json:"id"`
	Provider string     `json:"provider"`
	Secret   string     `json:"secret"`
	State    string     `json:"state"`
	Trigger  string     `json:"trigger"`
	Since    string     `json:"since"`
	Weight   int64      `json:"weight"`
	Tier     int64      `json:"tier"`
	Limits   abi.Limits `json:"limits"`
	Tags     []string   `json:"tags"`
	Models   []string   `json:"models"`
	Discount int64      `json:"discount"`
	InFlight int64      `json:"in_flight"`
	LastUsed string     `json:"last_used"`
	Pools    []struct {
		Name       string  `json:"name"`
		State      string  `json:"state"`
		Trigger    string  `json:"trigger"`
		Until      string  `json:"until"`
		Ladder     int64   `json:"ladder"`
		SuccessPct float64 `json:"success_pct"`
		Samples    int64   `json:"samples"`
		LatencyUS  int64   `json:"latency_us"`
	} `json:"pools"`
	Forecast []forecastJSON `json:"forecast"`
}

type forecastJSON struct {
	Model       string   `json:"model"`
	Eligible    bool     `json:"eligible"`
	Capacity    string   `json:"capacity"`
	HeadroomPct *float64 `json:"headroom_pct"`
	Reason      string   `json:"reason"`
	Until       string   `json:"until"`
}

// adminTime is how the admin API writes an instant.
func adminTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

func (g *adminRig) key(id string) keyJSON {
	g.t.Helper()
	var k keyJSON
	g.ok("GET", "/admin/v1/keys/"+id, nil, http.StatusOK, &k)
	return k
}

func TestAdminKeysRegisterAndList(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	var k keyJSON
	g.ok("POST", "/admin/v1/keys", map[string]any{"provider": "openai", "secret": "sk-proj-abcdefghijklmnop",
		"weight": 3, "tier": 1, "limits": map[string]int{"rpm": 100, "tpm": 5000}, "tags": []string{"team-b", "team-a"},
		"models": []string{"gpt-4o-mini"}, "discount": 2500}, http.StatusCreated, &k)
	if k.ID != "openai-1" || k.Provider != "openai" || k.Secret != "sk-…mnop" || k.State != "active" ||
		k.Weight != 3 || k.Tier != 1 || k.Limits != (abi.Limits{RPM: 100, TPM: 5000}) || k.Discount != 2500 ||
		!slices.Equal(k.Tags, []string{"team-a", "team-b"}) || !slices.Equal(k.Models, []string{"gpt-4o-mini"}) {
		t.Fatalf("registered key %+v", k)
	}
	if len(k.Forecast) != 1 || k.Forecast[0].Model != "gpt-4o-mini" || !k.Forecast[0].Eligible ||
		k.Forecast[0].Capacity != "abundant" || k.Forecast[0].HeadroomPct == nil {
		t.Fatalf("forecast %+v", k.Forecast)
	}
	if s, _ := g.r.Secret("openai-1"); s != "sk-proj-abcdefghijklmnop" {
		t.Fatalf("the router holds secret %q", s)
	}
	g.ok("POST", "/admin/v1/keys", map[string]any{"provider": "openai", "secret": "sk-second-0123456789"}, http.StatusCreated, &k)
	if k.ID != "openai-2" || k.Weight != 0 || len(k.Tags) != 0 || k.Tags == nil {
		t.Fatalf("second key %+v", k)
	}
	// An id may hold a slash; the path then escapes it.
	g.ok("POST", "/admin/v1/keys", map[string]any{"id": "team/a", "provider": "openai", "secret": "sk-team-a-0123456789"}, http.StatusCreated, nil)
	if k := g.key("team%2Fa"); k.ID != "team/a" || k.Secret != "sk-…6789" {
		t.Fatalf("team/a: %+v", k)
	}
	var list struct{ Keys []keyJSON }
	g.ok("GET", "/admin/v1/keys", nil, http.StatusOK, &list)
	var ids []string
	for _, k := range list.Keys {
		ids = append(ids, k.ID)
	}
	if !slices.Equal(ids, []string{"openai-1", "openai-2", "team/a"}) {
		t.Fatalf("listed %v", ids)
	}
	// The tier-1 key stands by while tier-0 keys are eligible: the
	// forecast is the core's.
	if f := list.Keys[0].Forecast; len(f) != 1 || f[0].Eligible || f[0].Reason != "tier" {
		t.Fatalf("openai-1 in the list: %+v", f)
	}
}

func TestAdminKeyPatchKeepsSecretAndState(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.ok("POST", "/admin/v1/keys", map[string]any{"id": "k1", "provider": "openai", "secret": "sk-patch-me-0123456789",
		"limits": map[string]int{"rpm": 100, "tpm": 5000}, "tags": []string{"a"}, "discount": 10}, http.StatusCreated, nil)
	g.ok("POST", "/admin/v1/keys/k1/disable", nil, http.StatusOK, nil)
	var k keyJSON
	g.ok("PATCH", "/admin/v1/keys/k1", map[string]any{"weight": 5, "limits": map[string]int{"rpm": 7}, "tags": []string{"b", "c"}},
		http.StatusOK, &k)
	if k.Weight != 5 || k.Limits != (abi.Limits{RPM: 7, TPM: 5000}) || !slices.Equal(k.Tags, []string{"b", "c"}) ||
		k.Discount != 10 || k.State != "disabled" || k.Secret != "sk-…6789" {
		t.Fatalf("patched key %+v", k)
	}
	if s, _ := g.r.Secret("k1"); s != "sk-patch-me-0123456789" {
		t.Fatalf("the patch changed the secret to %q", s)
	}
	g.fails("PATCH", "/admin/v1/keys/k1", map[string]any{"weight": -1}, http.StatusBadRequest, "invalid_argument", "weight")
	g.fails("PATCH", "/admin/v1/keys/k1", map[string]any{"discount": 10001}, http.StatusBadRequest, "invalid_argument", "discount")
}

// TestAdminKeyPatchIsAMergePatch checks RFC 7396: an absent member keeps
// its value, null clears it, limits merge member by member.
func TestAdminKeyPatchIsAMergePatch(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.ok("POST", "/admin/v1/keys", map[string]any{"id": "k1", "provider": "openai", "secret": "sk-merge-me-0123456789",
		"weight": 3, "tier": 1, "limits": map[string]int{"rpm": 100, "tpm": 5000, "rpd": 9}, "tags": []string{"a"},
		"models": []string{"gpt-4o-mini"}, "discount": 10}, http.StatusCreated, nil)
	for _, tc := range []struct {
		patch string
		check func(k keyJSON) bool
	}{
		{`{}`, func(k keyJSON) bool {
			return k.Weight == 3 && k.Tier == 1 && k.Limits == (abi.Limits{RPM: 100, TPM: 5000, RPD: 9}) &&
				slices.Equal(k.Tags, []string{"a"}) && slices.Equal(k.Models, []string{"gpt-4o-mini"}) && k.Discount == 10
		}},
		{`{"limits":{"rpm":null,"tpm":6000}}`, func(k keyJSON) bool {
			return k.Limits == (abi.Limits{TPM: 6000, RPD: 9}) && k.Weight == 3
		}},
		{`{"tags":null,"weight":null}`, func(k keyJSON) bool {
			return len(k.Tags) == 0 && k.Weight == 0 && k.Tier == 1 && slices.Equal(k.Models, []string{"gpt-4o-mini"})
		}},
		{`{"models":null,"tier":null,"discount":null}`, func(k keyJSON) bool {
			return len(k.Models) == 0 && k.Tier == 0 && k.Discount == 0 && k.Limits == (abi.Limits{TPM: 6000, RPD: 9})
		}},
		{`{"limits":null}`, func(k keyJSON) bool { return k.Limits == (abi.Limits{}) }},
	} {
		var k keyJSON
		g.ok("PATCH", "/admin/v1/keys/k1", tc.patch, http.StatusOK, &k)
		if !tc.check(k) {
			t.Fatalf("after %s: %+v", tc.patch, k)
		}
		if got := g.key("k1"); !tc.check(got) {
			t.Fatalf("after %s, GET shows %+v", tc.patch, got)
		}
	}
	if ks := g.r.Snapshot().Keys[0].Key; ks.Tags != nil || ks.Models != nil || ks.Limits != (abi.Limits{}) {
		t.Fatalf("the core holds %+v", ks)
	}
}

func TestAdminKeyStateCommands(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(2)
	for _, tc := range []struct {
		action, state, reason string
	}{
		{"disable", "disabled", "disabled"},
		{"enable", "active", ""},
		{"revoke", "revoked", "revoked"},
	} {
		var k keyJSON
		g.ok("POST", "/admin/v1/keys/k1/"+tc.action, nil, http.StatusOK, &k)
		if k.State != tc.state || k.Trigger != tc.action || k.Since != adminTime(adminNow) {
			t.Fatalf("%s: key %+v", tc.action, k)
		}
		if f := k.Forecast[0]; f.Eligible != (tc.reason == "") || f.Reason != tc.reason {
			t.Fatalf("%s: forecast %+v", tc.action, f)
		}
	}
	for _, action := range []string{"enable", "disable"} {
		g.fails("POST", "/admin/v1/keys/k1/"+action, nil, http.StatusConflict, "invalid_transition", "revoked")
	}
	// A chat goes to the other key.
	resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("x-apikeyrouter-key-id") != "k2" {
		t.Fatalf("chat: %d from %q: %s", resp.StatusCode, resp.Header.Get("x-apikeyrouter-key-id"), raw)
	}
}

func TestAdminKeyRotate(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	// The provider does not accept the new secret yet: within the grace
	// period (an hour by default) calls go with the old one.
	g.mock.SetFault("sk-rotated-not-yet-valid", mockupstream.Fault{Status: 401})
	var k keyJSON
	g.ok("POST", "/admin/v1/keys/k1/rotate", map[string]any{"secret": "sk-rotated-not-yet-valid"}, http.StatusOK, &k)
	if k.Secret != "sk-…alid" || k.State != "active" {
		t.Fatalf("rotated key %+v", k)
	}
	if resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini"); resp.StatusCode != http.StatusOK || g.mock.Requests("sk-test-1") != 1 {
		t.Fatalf("chat during grace: %d, old secret used %d times: %s", resp.StatusCode, g.mock.Requests("sk-test-1"), raw)
	}
	// With no grace, only the new secret is used.
	g.ok("POST", "/admin/v1/keys/k1/rotate", map[string]any{"secret": "sk-rotated-and-valid", "grace_seconds": 0}, http.StatusOK, nil)
	if resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini"); resp.StatusCode != http.StatusOK || g.mock.Requests("sk-rotated-and-valid") != 1 {
		t.Fatalf("chat after rotation: %d: %s", resp.StatusCode, raw)
	}
	if s, _ := g.r.Secret("k1"); s != "sk-rotated-and-valid" {
		t.Fatalf("secret %q", s)
	}
}

func TestAdminKeyDelete(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(2)
	var out struct {
		ID      string
		Deleted bool
	}
	g.ok("DELETE", "/admin/v1/keys/k1", nil, http.StatusOK, &out)
	if out.ID != "k1" || !out.Deleted {
		t.Fatalf("delete answered %+v", out)
	}
	g.fails("GET", "/admin/v1/keys/k1", nil, http.StatusNotFound, "unknown_key", "k1")
	if _, ok := g.r.Secret("k1"); ok {
		t.Fatal("the deleted key's secret is still held")
	}
	g.fails("DELETE", "/admin/v1/keys/k1", nil, http.StatusNotFound, "unknown_key")
}

func TestAdminKeyErrors(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
		msg                []string
	}{
		{"get unknown", "GET", "/admin/v1/keys/nope", nil, 404, "unknown_key", []string{"nope"}},
		{"patch unknown", "PATCH", "/admin/v1/keys/nope", map[string]any{"weight": 1}, 404, "unknown_key", nil},
		{"delete unknown", "DELETE", "/admin/v1/keys/nope", nil, 404, "unknown_key", nil},
		{"disable unknown", "POST", "/admin/v1/keys/nope/disable", nil, 404, "unknown_key", nil},
		{"enable unknown", "POST", "/admin/v1/keys/nope/enable", nil, 404, "unknown_key", nil},
		{"revoke unknown", "POST", "/admin/v1/keys/nope/revoke", nil, 404, "unknown_key", nil},
		{"rotate unknown", "POST", "/admin/v1/keys/nope/rotate", map[string]any{"secret": "sk-whatever-123"}, 404, "unknown_key", nil},
		{"quota unknown", "GET", "/admin/v1/keys/nope/quota", nil, 404, "unknown_key", nil},
		{"no provider", "POST", "/admin/v1/keys", map[string]any{"secret": "sk-abc-0123456"}, 400, "invalid_argument", []string{`"provider"`}},
		{"no secret", "POST", "/admin/v1/keys", map[string]any{"provider": "openai"}, 400, "invalid_argument", []string{`"secret"`, "required"}},
		{"secret with space", "POST", "/admin/v1/keys", map[string]any{"provider": "openai", "secret": "sk abc"}, 400, "invalid_argument", []string{`"secret"`}},
		{"unknown provider", "POST", "/admin/v1/keys", map[string]any{"provider": "nobody", "secret": "sk-abc-0123456"}, 404, "unknown_provider", []string{"nobody"}},
		{"taken id", "POST", "/admin/v1/keys", map[string]any{"id": "k1", "provider": "openai", "secret": "sk-abc-0123456"}, 409, "already_exists", []string{"k1"}},
		{"bad id", "POST", "/admin/v1/keys", map[string]any{"id": "a b", "provider": "openai", "secret": "sk-abc-0123456"}, 400, "invalid_argument", []string{"id"}},
		{"bad tier", "POST", "/admin/v1/keys", map[string]any{"provider": "openai", "secret": "sk-abc-0123456", "tier": -1}, 400, "invalid_argument", []string{"tier"}},
		{"rotate without secret", "POST", "/admin/v1/keys/k1/rotate", map[string]any{}, 400, "invalid_argument", []string{`"secret"`}},
		{"negative grace", "POST", "/admin/v1/keys/k1/rotate", map[string]any{"secret": "sk-abc-0123456", "grace_seconds": -1}, 400, "invalid_argument", []string{`"grace_seconds"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g.fails(tc.method, tc.path, tc.body, tc.status, tc.code, tc.msg...)
		})
	}
	if s, _ := g.r.Secret("k1"); s != "sk-test-1" {
		t.Fatalf("a failed request changed k1's secret to %q", s)
	}
}

func TestAdminKeyForecastIsTheCores(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(2)
	g.mock.SetFault("sk-test-1", mockupstream.Fault{Status: 429, RetryAfter: 30 * time.Second})
	for i := 0; i < 10 && g.mock.Requests("sk-test-1") == 0; i++ {
		if resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
			t.Fatalf("chat %d: %d %s", i, resp.StatusCode, raw)
		}
	}
	if g.mock.Requests("sk-test-1") == 0 {
		t.Fatal("k1 was never tried")
	}
	until := adminTime(adminNow.Add(30 * time.Second))
	k := g.key("k1")
	if len(k.Pools) != 1 || k.Pools[0].Name != "gpt-4o-mini" || k.Pools[0].State != "cooling_down" ||
		k.Pools[0].Trigger != "rate_limited" || k.Pools[0].Until != until {
		t.Fatalf("k1's pools %+v", k.Pools)
	}
	if f := k.Forecast; len(f) != 1 || f[0].Eligible || f[0].Reason != "cooling_down" || f[0].Until != until {
		t.Fatalf("k1's forecast %+v", f)
	}
	d, err := g.r.Route(router.Request{Model: "gpt-4o-mini", Provider: "openai", DryRun: true, Detail: true})
	if err != nil {
		t.Fatal(err)
	}
	k2 := g.key("k2")
	c := d.Candidates[0]
	if len(d.Candidates) != 1 || c.Key != "k2" || len(k2.Forecast) != 1 || !k2.Forecast[0].Eligible ||
		k2.Forecast[0].Capacity != c.Capacity.String() || *k2.Forecast[0].HeadroomPct != float64(c.Headroom)/1e4 {
		t.Fatalf("k2's forecast %+v, the core's %+v", k2.Forecast, d.Candidates)
	}
	if k2.Pools[0].Samples == 0 || k2.Pools[0].SuccessPct != 100 || k2.LastUsed != adminTime(adminNow) {
		t.Fatalf("k2 %+v", k2)
	}
}

// quotaJSON is GET /admin/v1/keys/{id}/quota's answer.
type quotaJSON struct {
	Key    string     `json:"key"`
	State  string     `json:"state"`
	Limits abi.Limits `json:"limits"`
	Usage  usageJSON  `json:"usage"`
	Pools  []struct {
		Name     string     `json:"name"`
		State    string     `json:"state"`
		Limits   abi.Limits `json:"limits"`
		Usage    usageJSON  `json:"usage"`
		Observed *struct {
			At                string `json:"at"`
			LimitRequests     int64  `json:"limit_requests"`
			RemainingRequests int64  `json:"remaining_requests"`
			ResetRequestsAt   string `json:"reset_requests_at"`
			LimitTokens       int64  `json:"limit_tokens"`
			RemainingTokens   int64  `json:"remaining_tokens"`
			SentSinceReport   int64  `json:"sent_since_report"`
		} `json:"observed"`
	} `json:"pools"`
	Forecast []forecastJSON `json:"forecast"`
}

type usageJSON struct {
	Minute, Day struct {
		Requests     int64 `json:"requests"`
		InputTokens  int64 `json:"input_tokens"`
		OutputTokens int64 `json:"output_tokens"`
	}
}

func TestAdminKeyQuota(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	if err := g.r.RegisterModel(abi.Model{Provider: "openai", Name: "gpt-4o-mini", Price: abi.Price{Input: 150_000, Output: 600_000},
		Limits: abi.Limits{RPM: 500}}); err != nil {
		t.Fatal(err)
	}
	if err := g.r.RegisterKey(abi.Key{ID: "k1", Provider: "openai", Limits: abi.Limits{RPD: 10_000}}, "sk-quota-0123456789"); err != nil {
		t.Fatal(err)
	}
	var q quotaJSON
	g.ok("GET", "/admin/v1/keys/k1/quota", nil, http.StatusOK, &q)
	if q.Key != "k1" || q.State != "active" || len(q.Pools) != 0 || q.Usage.Minute.Requests != 0 || len(q.Forecast) != 1 {
		t.Fatalf("unused key's quota %+v", q)
	}
	for i := range 3 {
		if resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
			t.Fatalf("chat %d: %d %s", i, resp.StatusCode, raw)
		}
	}
	g.ok("GET", "/admin/v1/keys/k1/quota", nil, http.StatusOK, &q)
	if q.Limits != (abi.Limits{RPD: 10_000}) || q.Usage.Minute.Requests != 3 || q.Usage.Day.Requests != 3 ||
		q.Usage.Minute.InputTokens == 0 || q.Usage.Minute.OutputTokens == 0 {
		t.Fatalf("key-wide quota %+v", q)
	}
	if len(q.Pools) != 1 {
		t.Fatalf("pools %+v", q.Pools)
	}
	p := q.Pools[0]
	if p.Name != "gpt-4o-mini" || p.Limits != (abi.Limits{RPM: 500}) || p.Usage != q.Usage {
		t.Fatalf("pool %+v (key-wide usage %+v)", p, q.Usage)
	}
	// The mock reports a million requests a minute per key, three used.
	if o := p.Observed; o == nil || o.At != adminTime(adminNow) || o.LimitRequests != 1_000_000 ||
		o.RemainingRequests != 1_000_000-3 || o.ResetRequestsAt == "" || o.LimitTokens == 0 {
		t.Fatalf("observed %+v", p.Observed)
	}
	if f := q.Forecast; len(f) != 1 || !f[0].Eligible || f[0].Capacity != "abundant" {
		t.Fatalf("forecast %+v", f)
	}
}

func TestAdminKeyIDsAreGeneratedPerProvider(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	if err := g.r.RegisterKey(abi.Key{ID: "openai-2", Provider: "openai"}, "sk-taken-0123456789"); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 3 {
		var k keyJSON
		g.ok("POST", "/admin/v1/keys", map[string]any{"provider": "openai", "secret": fmt.Sprintf("sk-generated-%d-0123", i)}, http.StatusCreated, &k)
		ids = append(ids, k.ID)
	}
	if !slices.Equal(ids, []string{"openai-1", "openai-3", "openai-4"}) {
		t.Fatalf("generated %v", ids)
	}
}
