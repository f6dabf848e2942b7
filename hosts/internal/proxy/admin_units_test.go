package proxy

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

func TestFormatDecimal(t *testing.T) {
	for _, tc := range []struct {
		n     int64
		scale int
		want  string
	}{
		{0, 9, "0"},
		{1, 9, "0.000000001"},
		{1_500_000_000, 9, "1.5"},
		{100 * int64(abi.Dollars), 9, "100"},
		{-1_250_000_000, 9, "-1.25"},
		{math.MaxInt64, 9, "9223372036.854775807"},
		{math.MinInt64, 9, "-9223372036.854775808"},
		{150_000, 6, "0.15"},
		{995_000, 4, "99.5"},
		{1_000_000, 4, "100"},
		{42, 0, "42"},
	} {
		if got := formatDecimal(tc.n, tc.scale); got != tc.want {
			t.Errorf("formatDecimal(%d, %d) = %q, want %q", tc.n, tc.scale, got, tc.want)
		}
	}
}

func TestParseUSDRoundTrips(t *testing.T) {
	for _, n := range []abi.NanoUSD{0, 1, 999_999_999, abi.Dollars, 12_345_678_901, math.MaxInt64} {
		text, _ := usdAmount(n).MarshalText()
		for _, raw := range []string{string(text), `"` + string(text) + `"`} {
			got, err := parseUSD(json.RawMessage(raw))
			if err != nil || got != n {
				t.Errorf("parseUSD(%s) = %d, %v; want %d", raw, got, err, n)
			}
		}
	}
}

func TestStamp(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891_234_567, time.FixedZone("CET", 3600))
	b, err := json.Marshal(struct {
		At    stamp `json:"at,omitempty"`
		Never stamp `json:"never,omitempty"`
	}{At: stamp(at.UnixNano())})
	if err != nil || string(b) != `{"at":"2026-03-04T04:06:07.891Z"}` {
		t.Fatalf("%s, %v", b, err)
	}
}

// TestSliding checks the sliding counts against the formula of
// abi/README.md: current + ⌈previous × (slot − elapsed) / slot⌉.
func TestSliding(t *testing.T) {
	const slot = int64(abi.Minute)
	base := abi.UnixNano(1_700_000_040 * int64(abi.Second)) // a minute boundary
	w := abi.Window{Start: base, Requests: 3, Input: 30, Output: 3, PrevReq: 10, PrevInput: 1000, PrevOutput: 1}
	for _, tc := range []struct {
		name string
		now  abi.UnixNano
		want countView
	}{
		{"slot start", base, countView{13, 1030, 4}},
		{"a quarter in", base + abi.UnixNano(15*abi.Second), countView{3 + 8, 30 + 750, 3 + 1}},
		{"last nanosecond", base + abi.UnixNano(slot-1), countView{3 + 1, 30 + 1, 3 + 1}},
		{"next slot, half in", base + abi.UnixNano(slot+30*int64(abi.Second)), countView{2, 15, 2}},
		{"two slots on", base + abi.UnixNano(2*slot), countView{}},
	} {
		if got := sliding(w, tc.now, slot); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	// Token counts times a day in nanoseconds overflow int64: the
	// arithmetic must not.
	day := int64(24 * abi.Hour)
	big := abi.Window{Start: 0, PrevInput: 1 << 50}
	if got := sliding(big, abi.UnixNano(day/2), day); got.InputTokens != 1<<49 {
		t.Fatalf("large counts: %+v", got)
	}
}
