package sdk

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// ParseRetryAfter reads how long the provider asked the client to wait, as
// of now: retry-after-ms (milliseconds, the more precise, wins) or
// retry-after (seconds, or an HTTP-date). It returns 0 when neither is
// present or readable; dates in the past give 0 too.
func ParseRetryAfter(h http.Header, now time.Time) abi.Duration {
	if v := strings.TrimSpace(h.Get("retry-after-ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil {
			return secondsToDuration(ms / 1000)
		}
	}
	v := strings.TrimSpace(h.Get("retry-after"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return secondsToDuration(s)
	}
	if t, err := http.ParseTime(v); err == nil {
		return nonNegative(t.Sub(now))
	}
	return 0
}
