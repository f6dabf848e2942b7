package proxy_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// TestMetrics: /metrics needs no token and shows the overhead histogram
// of the routed requests and the goroutine count.
func TestMetrics(t *testing.T) {
	g := newAdminRig(t, router.Options{})
	g.addKeys(1)
	for range 3 {
		if resp, raw := g.chat(adminTestProxyKey, "gpt-4o-mini"); resp.StatusCode != http.StatusOK {
			t.Fatalf("chat: %d %s", resp.StatusCode, raw)
		}
	}
	resp, raw := g.send("GET", "/metrics", "", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, raw)
	}
	for _, re := range []string{`(?m)^apikeyrouter_overhead_seconds_count 3$`, `(?m)^apikeyrouter_overhead_seconds_bucket\{le="\+Inf"\} 3$`,
		`(?m)^# TYPE go_goroutines gauge$`, `(?m)^go_goroutines [1-9][0-9]*$`} {
		if !regexp.MustCompile(re).Match(raw) {
			t.Errorf("no %s in:\n%s", re, raw)
		}
	}
}
