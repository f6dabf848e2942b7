package coretest_test

import (
	"bytes"
	"flag"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/internal/coretest"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors from the native core")

const vectorDir = "../../testdata/vectors"

// TestVectors checks that the native core still gives the recorded bytes
// for every golden vector. With -update it records them anew: only do that
// for a new vector, or for a change to the ABI's version.
func TestVectors(t *testing.T) {
	if *update {
		for _, b := range vectorSources() {
			if err := coretest.WriteVector(vectorDir, b.Record(coretest.NewNative())); err != nil {
				t.Fatal(err)
			}
		}
	}
	vectors, err := coretest.LoadVectors(vectorDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(vectors) < len(vectorSources()) {
		t.Fatalf("%d vectors on disk, %d defined: run go test ./internal/coretest -update", len(vectors), len(vectorSources()))
	}
	coretest.Run(t, vectors, func(*testing.T) coretest.Core { return coretest.NewNative() })
}

// TestVectorsMatchSources fails when a vector's source changed without the
// vector being rewritten.
func TestVectorsMatchSources(t *testing.T) {
	vectors, err := coretest.LoadVectors(vectorDir)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]coretest.Vector{}
	for _, v := range vectors {
		byName[v.Name] = v
	}
	for _, b := range vectorSources() {
		v, ok := byName[b.Name]
		if !ok {
			t.Errorf("vector %s missing on disk", b.Name)
			continue
		}
		if len(v.Calls) != len(b.Calls) {
			t.Errorf("vector %s: %d calls on disk, %d in source", b.Name, len(v.Calls), len(b.Calls))
			continue
		}
		for i := range v.Calls {
			if v.Calls[i].Op != b.Calls[i].Op || !bytes.Equal(v.Calls[i].In, b.Calls[i].In) {
				t.Errorf("vector %s call %d differs from its source", b.Name, i)
				break
			}
		}
	}
}

const t0 = abi.UnixNano(1_767_225_600_000_000_000) // 2026-01-01T00:00:00Z

func vectorSources() []*coretest.Builder {
	return []*coretest.Builder{basicVector(), malformedVector()}
}

func fleet(b *coretest.Builder, keys ...abi.Key) *coretest.Builder {
	b.Apply(abi.Event{Now: t0, Provider: &abi.Provider{ID: "openai"}})
	b.Apply(abi.Event{Now: t0, Provider: &abi.Provider{ID: "groq"}})
	b.Apply(abi.Event{Now: t0, Model: &abi.Model{Provider: "openai", Name: "gpt-4o-mini",
		Price: abi.Price{Input: 150_000, Output: 600_000, CachedInput: 75_000}, ContextWindow: 128_000, MaxOutputTokens: 16_384}})
	b.Apply(abi.Event{Now: t0, Model: &abi.Model{Provider: "groq", Name: "gpt-4o-mini",
		Price: abi.Price{Input: 50_000, Output: 80_000}}})
	for _, k := range keys {
		b.Apply(abi.Event{Now: t0, Key: &k})
	}
	return b
}

func basicVector() *coretest.Builder {
	b := &coretest.Builder{Name: "basic"}
	b.Version()
	fleet(b,
		abi.Key{ID: "oa-1", Provider: "openai"},
		abi.Key{ID: "oa-2", Provider: "openai", Weight: 2},
		abi.Key{ID: "gq-1", Provider: "groq", Tier: 1},
	)
	now := t0 + abi.UnixNano(abi.Second)
	for _, g := range []abi.Goal{abi.GoalDefault, abi.GoalFairness, abi.GoalReliability, abi.GoalCost, abi.GoalLatency, abi.GoalQuota} {
		b.Route(abi.RouteRequest{Now: now, Model: "gpt-4o-mini", InputTokens: 1200, Objective: abi.Objective{Primary: g}, DryRun: true})
	}
	b.Route(abi.RouteRequest{Now: now, Model: "gpt-4o-mini", InputTokens: 1200, MaxOutputTokens: 300})
	b.Apply(abi.Event{Now: now + abi.UnixNano(800*abi.Millisecond), Outcome: &abi.Outcome{Attempt: 1, Result: abi.Success, Status: 200,
		Usage: abi.Usage{InputTokens: 1180, CachedInputTokens: 1024, OutputTokens: 250}, LatencyMicros: 780_000,
		RateLimit: &abi.RateLimit{LimitRequests: 500, RemainingRequests: 499, ResetRequests: 120 * abi.Millisecond,
			LimitTokens: 200_000, RemainingTokens: 198_570, ResetTokens: 6 * abi.Second}}})
	b.Route(abi.RouteRequest{Now: now + abi.UnixNano(abi.Second), Model: "gpt-4o-mini", InputTokens: 50})
	b.Apply(abi.Event{Now: now + abi.UnixNano(2*abi.Second), Outcome: &abi.Outcome{Attempt: 2, Result: abi.RateLimited, Status: 429, RetryAfter: 20 * abi.Second}})
	b.Route(abi.RouteRequest{Now: now + abi.UnixNano(2*abi.Second), Model: "gpt-4o-mini", InputTokens: 50, Exclude: []abi.KeyID{"oa-2"}, Detail: true})
	b.Apply(abi.Event{Now: now + abi.UnixNano(3*abi.Second), Outcome: &abi.Outcome{Attempt: 3, Result: abi.AuthError, Status: 401}})
	b.Route(abi.RouteRequest{Now: now + abi.UnixNano(3*abi.Second), Model: "gpt-4o-mini", InputTokens: 50,
		Objective: abi.Objective{Primary: abi.GoalCost, Secondary: []abi.Goal{abi.GoalReliability}}})
	b.Apply(abi.Event{Now: now + abi.UnixNano(4*abi.Second), Command: &abi.Command{Op: abi.OpDisableKey, ID: "gq-1"}})
	b.Route(abi.RouteRequest{Now: now + abi.UnixNano(4*abi.Second), Model: "gpt-4o-mini"})
	b.Apply(abi.Event{Now: now + abi.UnixNano(4*abi.Second), Command: &abi.Command{Op: abi.OpEnableKey, ID: "nope"}})
	b.Apply(abi.Event{Now: now + abi.UnixNano(5*abi.Second), Outcome: &abi.Outcome{Attempt: 99}})
	b.Route(abi.RouteRequest{Now: now, Model: "no-such-model"})
	b.Snapshot()
	return b
}

func malformedVector() *coretest.Builder {
	b := &coretest.Builder{Name: "malformed"}
	good, _ := abi.Encode(&abi.RouteRequest{V: abi.Version, Now: t0, Model: "m"})
	wrongVersion, _ := abi.Encode(&abi.RouteRequest{V: 2, Now: t0, Model: "m"})
	b.Raw(coretest.OpRoute, nil)
	b.Raw(coretest.OpRoute, good[:len(good)-3])
	b.Raw(coretest.OpRoute, wrongVersion)
	b.Raw(coretest.OpRoute, append(append([]byte{}, good...), 0xc0))
	b.Raw(coretest.OpRoute, []byte{0x81, 0xa1, 'v', 0x01})                                                    // a version and nothing else
	b.Raw(coretest.OpRoute, []byte{0x82, 0xa1, 'v', 0x01, 0xa3, 'z', 'z', 'z', 0x01})                         // an unknown field
	b.Raw(coretest.OpApply, []byte{0x82, 0xa1, 'v', 0x01, 0xa3, 'n', 'o', 'w', 0xdd, 0xff, 0xff, 0xff, 0xff}) // an absurd array length
	b.Raw(coretest.OpApply, []byte{0x93, 0x01, 0x02, 0x03})                                                   // an array, not a map
	b.Raw(coretest.OpRestore, []byte{0x81, 0xa1, 'v', 0x01})
	b.Apply(abi.Event{Now: t0}) // no payload
	b.Apply(abi.Event{Now: t0, Provider: &abi.Provider{ID: "bad id with spaces"}})
	return b
}
