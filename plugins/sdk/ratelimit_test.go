package sdk_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// newRateLimit builds a RateLimit in field order: requests limit,
// remaining, reset, then tokens limit, remaining, reset.
func newRateLimit(lr, rr int64, resetR abi.Duration, lt, rt int64, resetT abi.Duration) *abi.RateLimit {
	return &abi.RateLimit{
		LimitRequests: lr, RemainingRequests: rr, ResetRequests: resetR,
		LimitTokens: lt, RemainingTokens: rt, ResetTokens: resetT,
	}
}

func TestParseRateLimit(t *testing.T) {
	ms, s := abi.Millisecond, abi.Second
	for _, tc := range []struct {
		name string
		h    http.Header
		want *abi.RateLimit
	}{
		{"none", header("content-type", "application/json"), nil},
		{"openai", header(
			"x-ratelimit-limit-requests", "10000", "x-ratelimit-remaining-requests", "9999", "x-ratelimit-reset-requests", "6ms",
			"x-ratelimit-limit-tokens", "30000000", "x-ratelimit-remaining-tokens", "29999975", "x-ratelimit-reset-tokens", "6m0s"),
			newRateLimit(10000, 9999, 6*ms, 30000000, 29999975, 360*s)},
		{"openai fractional and compound resets", header(
			"x-ratelimit-reset-requests", "1m30.5s", "x-ratelimit-reset-tokens", "120ms"),
			newRateLimit(-1, -1, 90*s+500*ms, -1, -1, 120*ms)},
		{"openai requests only", header("x-ratelimit-limit-requests", "500", "x-ratelimit-remaining-requests", "0"),
			newRateLimit(500, 0, -1, -1, -1, -1)},
		{"plain seconds reset", header("x-ratelimit-reset-requests", "20", "x-ratelimit-reset-tokens", "0.25"),
			newRateLimit(-1, -1, 20*s, -1, -1, 250*ms)},
		{"unreadable values count as absent", header(
			"x-ratelimit-limit-requests", "many", "x-ratelimit-remaining-requests", "-3", "x-ratelimit-reset-requests", "soon",
			"x-ratelimit-limit-tokens", " 42 "),
			newRateLimit(-1, -1, -1, 42, -1, -1)},
		{"negative reset clamps to zero", header("x-ratelimit-reset-requests", "-2s"),
			newRateLimit(-1, -1, 0, -1, -1, -1)},
		{"anthropic", header(
			"anthropic-ratelimit-requests-limit", "50", "anthropic-ratelimit-requests-remaining", "49",
			"anthropic-ratelimit-requests-reset", "2026-03-01T12:00:01Z",
			"anthropic-ratelimit-tokens-limit", "90000", "anthropic-ratelimit-tokens-remaining", "80000",
			"anthropic-ratelimit-tokens-reset", "2026-03-01T12:00:30.5Z",
			"anthropic-ratelimit-input-tokens-remaining", "1"),
			newRateLimit(50, 49, s, 90000, 80000, 30*s+500*ms)},
		{"anthropic reset in the past", header("anthropic-ratelimit-requests-reset", "2026-03-01T11:59:00Z"),
			newRateLimit(-1, -1, 0, -1, -1, -1)},
		{"anthropic input tokens more constrained", header(
			"anthropic-ratelimit-input-tokens-limit", "40000", "anthropic-ratelimit-input-tokens-remaining", "4000",
			"anthropic-ratelimit-input-tokens-reset", "2026-03-01T12:00:10Z",
			"anthropic-ratelimit-output-tokens-limit", "8000", "anthropic-ratelimit-output-tokens-remaining", "7000",
			"anthropic-ratelimit-output-tokens-reset", "2026-03-01T12:00:02Z"),
			newRateLimit(-1, -1, -1, 40000, 4000, 10*s)},
		{"anthropic output tokens more constrained", header(
			"anthropic-ratelimit-input-tokens-limit", "40000", "anthropic-ratelimit-input-tokens-remaining", "39000",
			"anthropic-ratelimit-output-tokens-limit", "8000", "anthropic-ratelimit-output-tokens-remaining", "100"),
			newRateLimit(-1, -1, -1, 8000, 100, -1)},
		{"anthropic output tokens only", header("anthropic-ratelimit-output-tokens-remaining", "7"),
			newRateLimit(-1, -1, -1, -1, 7, -1)},
		{"anthropic limits unknown: smaller remaining", header(
			"anthropic-ratelimit-input-tokens-remaining", "500", "anthropic-ratelimit-output-tokens-remaining", "900"),
			newRateLimit(-1, -1, -1, -1, 500, -1)},
		{"openai wins over anthropic", header("x-ratelimit-limit-requests", "1", "anthropic-ratelimit-requests-limit", "2"),
			newRateLimit(1, -1, -1, -1, -1, -1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sdk.ParseRateLimit(tc.h, now)
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("ParseRateLimit = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.Header
		want abi.Duration
	}{
		{"absent", header(), 0},
		{"seconds", header("retry-after", "20"), 20 * abi.Second},
		{"fractional seconds", header("retry-after", "1.5"), 1500 * abi.Millisecond},
		{"milliseconds win", header("retry-after", "1", "retry-after-ms", "850"), 850 * abi.Millisecond},
		{"fractional milliseconds", header("retry-after-ms", "0.5"), abi.Millisecond / 2},
		{"unreadable milliseconds fall back", header("retry-after", "3", "retry-after-ms", "x"), 3 * abi.Second},
		{"http date", header("retry-after", "Sun, 01 Mar 2026 12:00:42 GMT"), 42 * abi.Second},
		{"http date in the past", header("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"), 0},
		{"negative", header("retry-after", "-5"), 0},
		{"garbage", header("retry-after", "later"), 0},
		{"absurd clamps", header("retry-after", "1e300"), abi.Duration(1<<63 - 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sdk.ParseRetryAfter(tc.h, now); got != tc.want {
				t.Errorf("ParseRetryAfter = %d, want %d", got, tc.want)
			}
		})
	}
}

func ExampleParseRateLimit() {
	h := http.Header{}
	h.Set("x-ratelimit-limit-requests", "500")
	h.Set("x-ratelimit-remaining-requests", "499")
	h.Set("x-ratelimit-reset-requests", "120ms")
	rl := sdk.ParseRateLimit(h, time.Now())
	fmt.Println(rl.LimitRequests, rl.RemainingRequests, time.Duration(rl.ResetRequests), rl.LimitTokens)
	// Output: 500 499 120ms -1
}
