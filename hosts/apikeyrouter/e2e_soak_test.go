package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// soakFaults are the faults the soak injects: every one happens before
// the provider's headers, where the router can fail over, so no client
// may see it while a key is healthy.
var soakFaults = []struct {
	name  string
	fault mockupstream.Fault
}{
	{"429 retry-after 2s", mockupstream.Fault{Status: 429, RetryAfter: 2 * time.Second}},
	{"429 retry-after-ms 300", mockupstream.Fault{Status: 429, RetryAfter: 300 * time.Millisecond, RetryAfterMillis: true}},
	{"500", mockupstream.Fault{Status: 500}},
	{"503", mockupstream.Fault{Status: 503}},
	{"reset before headers", mockupstream.Fault{Reset: mockupstream.BeforeHeaders}},
	{"headers after 2s (attempt timeout 500ms)", mockupstream.Fault{HeaderDelay: 2 * time.Second}},
}

// soakSample is one look at the proxy process.
type soakSample struct {
	at         time.Duration
	rssKB      int64
	goroutines int64
	requests   int64
}

// TestSoak runs mixed loopback load — chat completions plain and streamed
// (with and without max_tokens), completions, embeddings — from 16 clients
// for APIKEYROUTER_SOAK (make soak: 10m; 8s when unset, as a smoke test
// in make test), while every 5 s each of mock-1 and mock-2 gets a random
// pre-header fault or none; mock-3 stays healthy throughout. The adapters
// run as APIKEYROUTER_SOAK_ADAPTERS says (make soak SOAKADAPTERS=plugin:
// all of them subprocesses), else as the binary's default. It checks:
//
//   - no client request fails;
//   - the spend equals the cost of the usage the clients were served;
//   - after the load, no attempt is open and the goroutine count returns
//     to its level after a warm-up (give or take 16: pooled upstream
//     connections);
//   - on runs of two minutes or more, RSS and goroutines stay flat: their
//     peaks in the last quarter are within bounds of the second quarter's.
//
// It logs a sample every 5 s and the figures RELIABILITY.md quotes.
func TestSoak(t *testing.T) {
	t.Parallel()
	dur := 8 * time.Second
	if s := os.Getenv("APIKEYROUTER_SOAK"); s != "" {
		var err error
		if dur, err = time.ParseDuration(s); err != nil {
			t.Fatalf("APIKEYROUTER_SOAK: %v", err)
		}
	}
	env := []string{"LOG_LEVEL=warn", "APIKEYROUTER_ATTEMPT_TIMEOUT=500ms"}
	if a := os.Getenv("APIKEYROUTER_SOAK_ADAPTERS"); a != "" {
		env = append(env, "APIKEYROUTER_ADAPTERS="+a) // plugin: every call through a subprocess
	}
	f := newFleet(t, env...)
	p := start(t, f.env...)
	c := newLoadClient(p, 30*time.Second)
	defer c.close()
	// The idle level: after a warm-up at the same concurrency, with the
	// clients' connections closed and the proxy's upstream ones pooled.
	hammer(160, 16, func(i int) exchange { return soakRequest(c, i%16, i) })
	c.close()
	idle := p.goroutines()
	spentBefore := adminSpent(t, p)

	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var (
		requests, failed atomic.Int64
		served           atomic.Int64 // nano-USD
		failMu           sync.Mutex
		firstFailures    []string
		wg               sync.WaitGroup
	)
	for w := range 16 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				x := soakRequest(c, w, i)
				requests.Add(1)
				if !x.ok() {
					failed.Add(1)
					failMu.Lock()
					if len(firstFailures) < 5 {
						firstFailures = append(firstFailures, x.String())
					}
					failMu.Unlock()
					continue
				}
				served.Add(x.cost())
			}
		})
	}

	// The fault schedule and the samples, every 5 s.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	faultCounts := map[string]int64{}
	var samples []soakSample
	began := time.Now()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	type epoch struct {
		fault  string
		before int64
	}
	current := map[string]epoch{}
	endEpoch := func() {
		for secret, e := range current {
			faultCounts[e.fault] += f.mock.Requests(secret) - e.before
			f.mock.ClearFault(secret)
		}
		clear(current)
	}
	for ctx.Err() == nil {
		endEpoch()
		for _, s := range secrets[:2] {
			if i := rng.IntN(len(soakFaults) + 1); i < len(soakFaults) {
				current[s] = epoch{soakFaults[i].name, f.mock.Requests(s)}
				f.mock.SetFault(s, soakFaults[i].fault)
			}
		}
		samples = append(samples, soakSample{time.Since(began), p.rssKB(), p.goroutines(), requests.Load()})
		t.Logf("soak: %v rss=%d kB goroutines=%d requests=%d failed=%d", samples[len(samples)-1].at.Round(time.Second),
			samples[len(samples)-1].rssKB, samples[len(samples)-1].goroutines, requests.Load(), failed.Load())
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	wg.Wait()
	endEpoch()

	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d requests failed while mock-3 was healthy; first: %q", n, requests.Load(), firstFailures)
	}
	waitFor(t, "the attempts to settle", 30*time.Second, func() bool { return p.openAttempts() == 0 })
	c.close()
	var settled int64
	waitFor(t, fmt.Sprintf("the goroutines to return to their idle level (%d)", idle), 30*time.Second, func() bool {
		settled = p.goroutines()
		return settled <= idle+16
	})
	if spent := adminSpent(t, p) - spentBefore; spent != served.Load() {
		t.Errorf("spent %d nano-USD; the clients were served %d worth", spent, served.Load())
	}
	var injected int64
	var kinds []string
	for name, n := range faultCounts {
		injected += n
		kinds = append(kinds, fmt.Sprintf("%s: %d", name, n))
	}
	slices.Sort(kinds)
	rss := func(s []soakSample) int64 {
		var m int64
		for _, x := range s {
			m = max(m, x.rssKB)
		}
		return m
	}
	gor := func(s []soakSample) int64 {
		var m int64
		for _, x := range s {
			m = max(m, x.goroutines)
		}
		return m
	}
	q := len(samples) / 4
	if dur >= 2*time.Minute && q > 0 {
		early, late := samples[q:2*q], samples[3*q:]
		if rss(late) > rss(early)*3/2+16<<10 {
			t.Errorf("RSS grew: peak %d kB in the last quarter, %d kB in the second", rss(late), rss(early))
		}
		if gor(late) > gor(early)*3/2+32 {
			t.Errorf("goroutines grew: peak %d in the last quarter, %d in the second", gor(late), gor(early))
		}
	}
	t.Logf("figures: duration=%v requests=%d (%.0f/s) failed=%d faults_injected=%d {%s} spend=%d nano-USD drift=0 "+
		"rss_kB first/peak/last=%d/%d/%d goroutines idle/peak/after=%d/%d/%d",
		dur, requests.Load(), float64(requests.Load())/dur.Seconds(), failed.Load(), injected, strings.Join(kinds, ", "),
		served.Load(), samples[0].rssKB, rss(samples), samples[len(samples)-1].rssKB, idle, gor(samples), settled)
}

// soakRequest sends worker w's i-th request of the soak's mix.
func soakRequest(c *loadClient, w, i int) exchange {
	text := fmt.Sprintf("soak %d %d %s", w, i, words("w", i%12))
	switch i % 6 {
	case 0, 1:
		return c.chat(context.Background(), chatRequest{text: text})
	case 2:
		return c.chat(context.Background(), chatRequest{text: text, stream: true})
	case 3:
		return c.chat(context.Background(), chatRequest{text: text, stream: true, maxTokens: 3})
	case 4:
		return c.post("/v1/completions", `{"model":"gpt-4o-mini","prompt":"`+text+`"}`)
	default:
		return c.post("/v1/embeddings", `{"model":"gpt-4o-mini","input":["`+text+`"]}`)
	}
}

// post sends a JSON body to path and reads the answer and its usage.
func (c *loadClient) post(path, body string) exchange {
	var x exchange
	resp, err := c.send(context.Background(), path, []byte(body), nil)
	if err != nil {
		x.err = err
		return x
	}
	defer resp.Body.Close()
	x.status, x.header, x.key = resp.StatusCode, resp.Header, resp.Header.Get("x-apikeyrouter-key-id")
	x.body, x.err = io.ReadAll(resp.Body)
	x.readUsage(false)
	return x
}

// rssKB is the process's resident set size.
func (p *proc) rssKB() int64 {
	p.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		p.t.Fatalf("read the proxy's status: %v", err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	p.t.Fatal("no VmRSS in /proc/<pid>/status")
	return 0
}

// goroutines is the proxy's goroutine count, from /metrics.
func (p *proc) goroutines() int64 {
	p.t.Helper()
	resp, err := http.Get(p.url + "/metrics")
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				p.t.Fatalf("go_goroutines %q", v)
			}
			return n
		}
	}
	p.t.Fatal("no go_goroutines in /metrics")
	return 0
}
