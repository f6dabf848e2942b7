package core

import (
	"math/rand/v2"
	"testing"
)

// TestAttemptsMatchAMap drives the attempt queue with random opens and
// closes, starting from the gapped ids a restore leaves, and checks every
// lookup, the oldest attempt and the listing against a plain map.
func TestAttemptsMatchAMap(t *testing.T) {
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 7))
		var as attempts
		ref := map[uint64]*attempt{}
		next := uint64(1)
		for range rng.IntN(20) { // restored attempts: ascending, with gaps
			next += uint64(rng.IntN(5))
			ref[next] = as.add(next)
			next++
		}
		for step := range 2000 {
			if rng.IntN(2) == 0 || len(ref) == 0 {
				ref[next] = as.add(next)
				next++
			} else {
				for id, a := range ref { // any open one
					as.close(a)
					delete(ref, id)
					break
				}
			}
			probe := uint64(rng.Int64N(int64(next) + 2))
			if got, want := as.find(probe), ref[probe]; got != want {
				t.Fatalf("seed %d step %d: find(%d) = %p, want %p", seed, step, probe, got, want)
			}
			oldest := uint64(0)
			for id := range ref {
				if oldest == 0 || id < oldest {
					oldest = id
				}
			}
			if got := as.oldest(); got != ref[oldest] {
				t.Fatalf("seed %d step %d: oldest = %v, want id %d", seed, step, got, oldest)
			}
			n, prev := 0, uint64(0)
			as.each(func(a *attempt) {
				if ref[a.id] != a || a.id <= prev {
					t.Fatalf("seed %d step %d: listed %d out of order or not open", seed, step, a.id)
				}
				n, prev = n+1, a.id
			})
			if n != len(ref) {
				t.Fatalf("seed %d step %d: listed %d attempts, %d open", seed, step, n, len(ref))
			}
		}
	}
}
