package router_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// TestShortRetryAfterFailsOver: two of three keys answer every request
// with 429 and a Retry-After too short to cool them down (300 ms). The
// router may retry such a key once after its Retry-After, but that retry
// is not another key: every request still reaches the healthy third key
// within the three keys it may try.
func TestShortRetryAfterFailsOver(t *testing.T) {
	g := newRig(t, router.Options{Config: abi.Config{Objective: abi.Objective{Primary: abi.GoalFairness}}})
	for _, s := range []string{"sk-test-1", "sk-test-2"} {
		g.mock.SetFault(s, mockupstream.Fault{Status: 429, RetryAfter: 300 * time.Millisecond, RetryAfterMillis: true})
	}
	for i := range 6 {
		a, body := g.do(chat(fmt.Sprintf("short retry-after %d", i), i%2 == 0))
		if a.Status != 200 || a.Decision.Key != "k3" {
			t.Fatalf("request %d: status %d from %s after %d attempts: %s", i, a.Status, a.Decision.Key, a.Attempts, body)
		}
	}
}
