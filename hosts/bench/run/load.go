package main

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// specs are the processes of the run, in the order rounds visit them: the
// mocks first, as the others forward to them.
var specs = []spec{
	{id: "mock", label: "mock upstream, direct", bin: "mockupstream",
		note: "`hosts/mockupstream/cmd/mockupstream`, the OpenAI mock: the upstream of the other targets, and their floor"},
	{id: "mock-anthropic", label: "mock Anthropic upstream", bin: "mockanthropic",
		note: "`hosts/bench/mockanthropic`: the Anthropic Messages mock (`hosts/mockupstream/anthropic`), upstream of the translating targets only; not measured itself"},
	{id: "barehop", label: "bare ReverseProxy hop", bin: "barehop",
		note: "`hosts/bench/barehop`: `httputil.ReverseProxy` whose `Rewrite` sets Authorization, and nothing else; its transport keeps 256 idle connections per host, as apikeyrouter's adapters do"},
	{id: "akr", label: "apikeyrouter", router: true, keys: 3,
		note: "`apikeyrouter serve` as shipped: WebAssembly core, the OpenAI adapter in-process (`APIKEYROUTER_ADAPTERS=auto`), `LOG_LEVEL=info` (a line per request, to a file), a data dir; 3 keys"},
	{id: "akr-native", label: "apikeyrouter, native core", router: true, keys: 3, env: []string{"APIKEYROUTER_CORE=native"},
		note: "the same with `APIKEYROUTER_CORE=native`: the core compiled into the binary, not under wazero"},
	{id: "akr-anthropic", label: "apikeyrouter → Anthropic plugin", router: true, provider: "anthropic", keys: 3,
		upstream: "mock-anthropic", model: "claude-haiku-4-5", env: []string{"APIKEYROUTER_ADAPTERS=plugin"},
		note: "an OpenAI-format request to 3 Anthropic keys, translated by `bin/apikeyrouter-anthropic` as a go-plugin subprocess (`APIKEYROUTER_ADAPTERS=plugin`), to the mock Anthropic upstream; the plugin's CPU and RSS count with the proxy's"},
	{id: "akr-anthropic-in", label: "apikeyrouter → Anthropic in-process", router: true, provider: "anthropic", keys: 3,
		upstream: "mock-anthropic", model: "claude-haiku-4-5",
		note: "the same translation with the Anthropic adapter in-process, as `APIKEYROUTER_ADAPTERS=auto` runs it"},
	{id: "akr-plugin", label: "apikeyrouter → OpenAI plugin", router: true, keys: 3, env: []string{"APIKEYROUTER_ADAPTERS=plugin"},
		note: "apikeyrouter with the OpenAI adapter forced into its plugin subprocess (`APIKEYROUTER_ADAPTERS=plugin`): the gRPC hop without a translation"},
	{id: "barehop-p1", label: "bare hop, GOMAXPROCS=1", bin: "barehop", env: []string{"GOMAXPROCS=1"},
		note: "the bare hop with `GOMAXPROCS=1`"},
	{id: "akr-p1", label: "apikeyrouter, GOMAXPROCS=1", router: true, keys: 3, env: []string{"GOMAXPROCS=1"},
		note: "apikeyrouter with `GOMAXPROCS=1`"},
	{id: "barehop-idle2", label: "bare hop, Go's default pool", bin: "barehop", args: []string{"-idle-per-host", "2"},
		note: "the bare hop with Go's default transport pooling (2 idle connections per host)"},
	{id: "akr-1000", label: "apikeyrouter, 1,000 keys", router: true, keys: 1000,
		note: "apikeyrouter with 1,000 keys"},
}

// The target sets of the scenarios.
var (
	main5  = []string{"mock", "barehop", "akr", "akr-native", "akr-anthropic"}
	tuning = []string{"barehop-p1", "akr-p1"}
)

// scenarios are the shapes of load, in the order they run.
var scenarios = []scenario{
	{id: "chat-32", title: "Non-streaming chat, 32 connections", conns: 32,
		targets: slices.Concat(main5, []string{"akr-anthropic-in", "akr-plugin"}, tuning, []string{"barehop-idle2", "akr-1000"})},
	{id: "stream-32", title: "Streaming chat, 32 connections", stream: true, conns: 32, targets: main5},
	{id: "chat-1", title: "Unloaded non-streaming chat: 1 connection, sequential", conns: 1, targets: slices.Concat(main5, tuning)},
	{id: "stream-1", title: "Unloaded streaming chat: 1 connection, sequential", stream: true, conns: 1, targets: main5},
}

// loadReport is what the load run measured.
type loadReport struct {
	targets map[string]*target
	// cells[scenario][target]
	cells map[string]map[string]*cell
	// loadPeak is each target's peak RSS after the warm-up.
	loadPeak map[string]int64
	// metrics is each router's overhead histogram from /metrics.
	metrics map[string]*promHistogram
}

// roundOrder is the order of round r: forwards, then backwards — A B C,
// C B A, A B C … — so that neither drift nor coming first or last (A/B
// runs here have shown a 2–3% edge for one side) favours a target.
func roundOrder(targets []string, r int) []string {
	if r%2 == 0 {
		return targets
	}
	back := slices.Clone(targets)
	slices.Reverse(back)
	return back
}

// runLoad starts every target, warms each up, runs the scenarios' rounds
// and stops them.
func runLoad(ctx context.Context, o options, bins, work string) (*loadReport, error) {
	rep := &loadReport{targets: map[string]*target{}, cells: map[string]map[string]*cell{},
		loadPeak: map[string]int64{}, metrics: map[string]*promHistogram{}}
	l := &launcher{bins: bins, work: work, started: rep.targets}
	defer func() {
		for _, t := range rep.targets {
			t.proc.stop()
		}
	}()
	for _, s := range specs {
		log.Printf("starting %s", s.id)
		if _, err := l.start(ctx, s); err != nil {
			return nil, err
		}
	}
	ld := &loader{bin: filepath.Join(bins, "load"), dir: work}
	// A first warm-up of every target under the heaviest load, after which
	// the peak RSS is reset: what follows is the peak under load.
	warm := &scenarios[0]
	for _, id := range warm.targets {
		t := rep.targets[id]
		if err := ld.round(ctx, t, warm, 2*o.warmup, nil); err != nil {
			return nil, err
		}
		peak, err := peakRSS(t.proc.pids)
		if err != nil {
			return nil, err
		}
		t.startPeak = peak
		if err := resetPeakRSS(t.proc.pids); err != nil {
			return nil, fmt.Errorf("reset the peak RSS of %s: %w", t.id, err)
		}
	}
	for i := range scenarios {
		sc := &scenarios[i]
		cells := map[string]*cell{}
		rep.cells[sc.id] = cells
		for _, id := range sc.targets {
			cells[id] = &cell{}
			if err := ld.round(ctx, rep.targets[id], sc, o.warmup, nil); err != nil {
				return nil, err
			}
		}
		for r := range o.rounds {
			for _, id := range roundOrder(sc.targets, r) {
				if err := ld.round(ctx, rep.targets[id], sc, o.duration, cells[id]); err != nil {
					return nil, err
				}
			}
		}
	}
	for id, t := range rep.targets {
		peak, err := peakRSS(t.proc.pids)
		if err != nil {
			return nil, err
		}
		rep.loadPeak[id] = peak
		if t.router {
			if rep.metrics[id], err = scrapeOverhead(ctx, t.url+"/metrics"); err != nil {
				return nil, fmt.Errorf("%s: %w", id, err)
			}
		}
	}
	return rep, nil
}

// promHistogram is a Prometheus histogram read from /metrics.
type promHistogram struct {
	bounds []string // le labels, +Inf last
	counts []uint64 // cumulative
	sum    float64
	count  uint64
}

// overheadMetric is the histogram apikeyrouter exports.
const overheadMetric = "apikeyrouter_overhead_seconds"

// scrapeOverhead reads the router-overhead histogram from url.
func scrapeOverhead(ctx context.Context, url string) (*promHistogram, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	h := &promHistogram{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		name, value, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(name, overheadMetric) {
			continue
		}
		switch {
		case strings.HasPrefix(name, overheadMetric+`_bucket{le="`):
			n, err := strconv.ParseUint(value, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", line, err)
			}
			h.bounds = append(h.bounds, strings.TrimSuffix(strings.TrimPrefix(name, overheadMetric+`_bucket{le="`), `"}`))
			h.counts = append(h.counts, n)
		case name == overheadMetric+"_sum":
			if h.sum, err = strconv.ParseFloat(value, 64); err != nil {
				return nil, fmt.Errorf("%s: %w", line, err)
			}
		case name == overheadMetric+"_count":
			if h.count, err = strconv.ParseUint(value, 10, 64); err != nil {
				return nil, fmt.Errorf("%s: %w", line, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(h.bounds) == 0 {
		return nil, fmt.Errorf("no %s histogram at %s", overheadMetric, url)
	}
	return h, nil
}
