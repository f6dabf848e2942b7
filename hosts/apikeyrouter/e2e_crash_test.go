package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// TestKill9UnderLoad kills the proxy with SIGKILL at 20 random moments,
// each 50–400 ms into a load of 16 concurrent clients (streamed and plain
// requests, some with max_tokens, a key answering 500 now and then), and
// restarts it on the same data directory. After each restart:
//
//   - an answer a client received in full (a clean end of the HTTP body:
//     the proxy journals an attempt's outcome before it ends the response) is charged
//     exactly once: spend grew by at least the sum of their costs;
//   - an interrupted request is charged at most once, for at most its full
//     usage or, if the kill left its attempt open, its estimate (the next
//     start charges an orphan that): spend grew by at most that sum plus
//     the larger of the two for each interrupted request;
//   - every key is still there, and no attempt of the dead process is
//     left open to hold budget reservations or in-flight counts.
//
// APIKEYROUTER_CRASH_SEED replays a run's kill moments.
func TestKill9UnderLoad(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("APIKEYROUTER_CRASH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("APIKEYROUTER_CRASH_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	f := newFleet(t, "LOG_LEVEL=warn")
	p := start(t, f.env...)
	spent := adminSpent(t, p)

	const rounds, workers, perRound = 20, 16, 2000
	var total, complete, interrupted, overCharged int64
	// longest is the longest completion answered: the model's mean output,
	// an estimate's output without max_tokens, is at most it (or the
	// core's 256 before any answer).
	longest := int64(256)
	for round := range rounds {
		f.mock.SetFault(secrets[rng.IntN(len(secrets))], mockupstream.Fault{Status: 500, Times: 2})
		killAt := time.Duration(50+rng.IntN(351)) * time.Millisecond
		xs, reqs := crashLoad(p, workers, perRound, killAt, round)

		var lower, upper int64 // nano-USD the round's requests may add to the spend
		for i := range xs {
			if x := &xs[i]; x.err == nil && x.complete {
				longest = max(longest, x.completion)
			}
		}
		for i := range xs {
			x, r := &xs[i], reqs[i]
			switch {
			case x.err == nil && x.complete:
				lower += x.cost()
				complete++
			default:
				interrupted++
				prompt, completion := r.expectedUsage()
				key := x.key
				if key == "" {
					key = "mock-1" // not told: assume the dearest key
				}
				// An estimate: a prompt has fewer tokens than its body has
				// bytes; the output is max_tokens, else the mean.
				out := r.maxTokens
				if out == 0 {
					out = longest
				}
				upper += max(cost(key, prompt, completion), cost(key, int64(len(r.body())), out))
			}
		}
		upper += lower
		total += int64(len(xs))

		p = start(t, f.env...)
		now := adminSpent(t, p)
		delta := now - spent
		if delta < lower || delta > upper {
			t.Fatalf("round %d (kill at %v): spend grew by %d nano-USD; the complete answers cost %d and at most %d could be added",
				round, killAt, delta, lower, upper)
		}
		overCharged += delta - lower
		spent = now
		var keys struct{ Keys []keyView }
		p.adminGet("/admin/v1/keys", &keys)
		ids := []string{}
		for _, k := range keys.Keys {
			ids = append(ids, k.ID)
		}
		if !slices.Equal(ids, []string{"mock-1", "mock-2", "mock-3"}) {
			t.Fatalf("round %d: keys after the restart: %v", round, ids)
		}
		if n := p.openAttempts(); n != 0 {
			t.Fatalf("round %d: %d attempts of the killed process are still open", round, n)
		}
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	p = start(t, f.env...)
	if got := adminSpent(t, p); got != spent {
		t.Fatalf("a clean restart changed the spend: %d, was %d", got, spent)
	}
	t.Logf("figures: rounds=%d requests=%d complete=%d interrupted=%d spend=%d nano-USD; "+
		"charged for interrupted requests=%d nano-USD; complete answers uncharged or charged twice=0", rounds, total, complete,
		interrupted, spent, overCharged)
}

// crashLoad runs up to n requests from workers clients against p and kills
// p after killAt. It returns every request started, with what its client
// saw.
func crashLoad(p *proc, workers, n int, killAt time.Duration, round int) ([]exchange, []chatRequest) {
	c := newLoadClient(p, 30*time.Second)
	defer c.close()
	var (
		mu     sync.Mutex
		xs     []exchange
		reqs   []chatRequest
		next   atomic.Int64
		killed atomic.Bool
		wg     sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for !killed.Load() {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				r := chatRequest{text: fmt.Sprintf("round %d request %d %s", round, i, words("x", int(i%7))),
					stream: i%2 == 0, maxTokens: i % 3 * 4}
				x := c.chat(context.Background(), r)
				mu.Lock()
				xs, reqs = append(xs, x), append(reqs, r)
				mu.Unlock()
			}
		})
	}
	time.Sleep(killAt) // the crash's moment: chosen at random, not waited for
	killed.Store(true) // no new requests: those in flight meet the crash
	p.kill()
	wg.Wait()
	return xs, reqs
}
