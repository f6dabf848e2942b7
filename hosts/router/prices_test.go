package router

import (
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

func TestBundledPrices(t *testing.T) {
	table := BundledPrices()
	for _, p := range []string{"openai", "anthropic", "gemini", "groq", "mistral"} {
		if len(table[p]) == 0 {
			t.Errorf("no models for %s", p)
		}
	}
	models, err := table.Models()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		if m.Price.Input <= 0 || m.ContextWindow <= 0 {
			t.Errorf("%s/%s: missing input price or context window", m.Provider, m.Name)
		}
	}
	// Decimal list prices become exact integers.
	mini, err := table["openai"]["gpt-4o-mini"].Model("openai", "gpt-4o-mini")
	if err != nil {
		t.Fatal(err)
	}
	if want := (abi.Price{Input: 150_000, Output: 600_000, CachedInput: 75_000}); mini.Price != want {
		t.Fatalf("gpt-4o-mini price %+v, want %+v", mini.Price, want)
	}
	if _, err := ParsePriceTable([]byte("openai:\n  m: {input: 1, typo: 2}\n")); err == nil {
		t.Fatal("an unknown field was accepted")
	}
	if _, err := (PriceEntry{Input: -1}).Model("p", "m"); err == nil {
		t.Fatal("a negative price was accepted")
	}
}

func TestParseObjective(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want abi.Objective
		err  bool
	}{
		{in: "", want: abi.Objective{}},
		{in: "cost", want: abi.Objective{Primary: abi.GoalCost}},
		{in: " Latency ", want: abi.Objective{Primary: abi.GoalLatency}},
		{in: `{"primary":"cost","secondary":["reliability"],"weights":{"reliability":0.3,"cost":0.7}}`,
			want: abi.Objective{Primary: abi.GoalCost, Secondary: []abi.Goal{abi.GoalReliability},
				Weights: []abi.Weight{{Goal: abi.GoalReliability, Milli: 300}, {Goal: abi.GoalCost, Milli: 700}}}},
		{in: "cheapest", err: true},
		{in: "default", err: true},
		{in: `{"primary":"cost","extra":1}`, err: true},
		{in: `{"primary":"cost","weights":{"speed":1}}`, err: true},
		{in: `{"primary":"cost","weights":{"cost":-1}}`, err: true},
		{in: `{"primary":`, err: true},
	} {
		got, err := ParseObjective(tc.in)
		if (err != nil) != tc.err {
			t.Errorf("%q: error %v, want error %v", tc.in, err, tc.err)
			continue
		}
		if !tc.err && !equalObjective(got, tc.want) {
			t.Errorf("%q: got %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func equalObjective(a, b abi.Objective) bool {
	if a.Primary != b.Primary || len(a.Secondary) != len(b.Secondary) || len(a.Weights) != len(b.Weights) {
		return false
	}
	for i := range a.Secondary {
		if a.Secondary[i] != b.Secondary[i] {
			return false
		}
	}
	for i := range a.Weights {
		if a.Weights[i] != b.Weights[i] {
			return false
		}
	}
	return true
}

func TestParseUSD(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want abi.NanoUSD
		err  bool
	}{
		{in: "12.5", want: 12_500_000_000}, {in: "$0.000000001", want: 1}, {in: "3", want: 3 * abi.Dollars},
		{in: ".25", want: 250_000_000}, {in: "0.0000000001", err: true}, {in: "-1", err: true},
		{in: "1e3", err: true}, {in: "", err: true}, {in: "abc", err: true}, {in: "10000000000", err: true},
	} {
		got, err := ParseUSD(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseUSD(%q) = %d, %v", tc.in, got, err)
		}
	}
	if s := FormatUSD(1_500_000_001); s != "1.500000001" {
		t.Errorf("FormatUSD = %s", s)
	}
}
