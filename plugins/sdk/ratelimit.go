package sdk

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// ParseRateLimit reads a provider's rate-limit headers, as of now, into an
// [abi.RateLimit]: every field present, -1 for a header that was absent or
// unreadable, resets as durations from now (never negative). It returns nil
// when the answer carried none of the headers it knows:
//
//   - OpenAI and compatibles: x-ratelimit-{limit,remaining,reset}-{requests,tokens};
//     resets are durations like "1s", "6m0s", "120ms" (plain seconds such as
//     "20" are accepted too).
//   - Anthropic: anthropic-ratelimit-requests-{limit,remaining,reset} and
//     anthropic-ratelimit-tokens-*; resets are RFC 3339 instants. Without
//     tokens-*, the more constrained (by remaining/limit) of input-tokens-*
//     and output-tokens-* stands for the token limit.
func ParseRateLimit(h http.Header, now time.Time) *abi.RateLimit {
	requests := parseWindow(h, "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests", now)
	tokens := parseWindow(h, "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens", now)
	if !requests.present() {
		requests = parseWindow(h, "anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-reset", now)
	}
	if !tokens.present() {
		tokens = parseWindow(h, "anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-reset", now)
	}
	if !tokens.present() {
		tokens = moreConstrained(
			parseWindow(h, "anthropic-ratelimit-input-tokens-limit", "anthropic-ratelimit-input-tokens-remaining", "anthropic-ratelimit-input-tokens-reset", now),
			parseWindow(h, "anthropic-ratelimit-output-tokens-limit", "anthropic-ratelimit-output-tokens-remaining", "anthropic-ratelimit-output-tokens-reset", now))
	}
	if !requests.present() && !tokens.present() {
		return nil
	}
	return &abi.RateLimit{
		LimitRequests:     requests.limit,
		RemainingRequests: requests.remaining,
		ResetRequests:     requests.reset,
		LimitTokens:       tokens.limit,
		RemainingTokens:   tokens.remaining,
		ResetTokens:       tokens.reset,
	}
}

// window is one rate limit (requests or tokens); -1 marks an absent field.
type window struct {
	limit, remaining int64
	reset            abi.Duration
}

func (w window) present() bool { return w.limit >= 0 || w.remaining >= 0 || w.reset >= 0 }

// parseWindow reads one window's three headers.
func parseWindow(h http.Header, limit, remaining, reset string, now time.Time) window {
	return window{
		limit:     parseCount(h.Get(limit)),
		remaining: parseCount(h.Get(remaining)),
		reset:     parseReset(h.Get(reset), now),
	}
}

// moreConstrained returns the window with less headroom: the smaller
// remaining/limit fraction when both limits are known, else the smaller
// remaining; a window that is absent loses to one that is present.
func moreConstrained(a, b window) window {
	switch {
	case !b.present():
		return a
	case !a.present():
		return b
	case a.limit > 0 && b.limit > 0 && a.remaining >= 0 && b.remaining >= 0:
		// a.remaining/a.limit <= b.remaining/b.limit, without division;
		// header values are far below 2^31, so the products fit.
		if a.remaining*b.limit <= b.remaining*a.limit {
			return a
		}
		return b
	case b.remaining >= 0 && (a.remaining < 0 || b.remaining < a.remaining):
		return b
	default:
		return a
	}
}

// parseCount reads a non-negative integer header value; -1 if absent or
// unreadable.
func parseCount(v string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// parseReset reads a reset header value as a duration from now: a Go/OpenAI
// duration ("6m0s"), plain seconds ("20", "1.5") or an RFC 3339 instant.
// Past instants give 0; absent or unreadable values give -1.
func parseReset(v string, now time.Time) abi.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return -1
	}
	if d, err := time.ParseDuration(v); err == nil {
		return nonNegative(d)
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return secondsToDuration(s)
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return nonNegative(t.Sub(now))
	}
	return -1
}

// nonNegative converts d, clamping negative spans to zero.
func nonNegative(d time.Duration) abi.Duration {
	return abi.Duration(max(d, 0))
}

// secondsToDuration converts seconds to a duration, clamping to
// [0, the longest duration] (NaN counts as 0).
func secondsToDuration(s float64) abi.Duration {
	switch ns := s * float64(time.Second); {
	case !(ns > 0):
		return 0
	case ns >= float64(time.Duration(1<<63-1)):
		return abi.Duration(1<<63 - 1)
	default:
		return abi.Duration(ns)
	}
}
