package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// report is everything BENCHMARKS.md says.
type report struct {
	opts       options
	args       []string
	started    time.Time
	took       time.Duration
	machine    machine
	loadAvgEnd string
	load       *loadReport
	micro      *microReport
}

// write writes the report, the plot and the raw benchmark output under
// root.
func (r *report) write(root string) error {
	dir := under(root, r.opts.results)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	r.header(&b)
	if r.load != nil {
		r.goals(&b)
		r.loadTables(&b)
		plot := filepath.Join(dir, "load.svg")
		if err := os.WriteFile(plot, r.plot(), 0o644); err != nil {
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(under(root, r.opts.out)), plot)
		fmt.Fprintf(&b, "\n![CPU per request and latency percentiles, non-streaming, 32 connections](%s)\n", filepath.ToSlash(rel))
	}
	if r.micro != nil {
		raw := filepath.Join(dir, "micro.txt")
		if err := os.WriteFile(raw, r.micro.raw, 0o644); err != nil {
			return err
		}
		rel, err := filepath.Rel(root, raw)
		if err != nil {
			rel = raw
		}
		r.microTables(&b, filepath.ToSlash(rel))
	}
	out := under(root, r.opts.out)
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Println("wrote", out)
	return nil
}

// under returns path, relative to root unless absolute.
func under(root, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}

func (r *report) header(b *strings.Builder) {
	cmd := "go run ./hosts/bench/run"
	if len(r.args) > 0 {
		cmd += " " + strings.Join(r.args, " ")
	}
	fmt.Fprintf(b, "# Benchmarks\n\nWritten by `make bench` (`%s`) on %s, in %s. Do not edit: run it again.\n\n",
		cmd, r.started.UTC().Format("2006-01-02 15:04 MST"), r.took.Round(time.Second))
	b.WriteString("One run on one machine. Every target is a process of its own on loopback, and so is the load\n" +
		"generator (`hosts/bench/load`: keep-alive HTTP/1.1 connections, each sending its next request when the\n" +
		"answer has been read, as wrk does). Rounds visit the targets forwards, then backwards — A B C, C B A,\n" +
		"A B C … — so that drift on a shared machine, and any edge of going first or last, hits all alike. ")
	fmt.Fprintf(b, "Each scenario runs %d rounds of %s per target after a %s warm-up. ", r.opts.rounds, r.opts.duration, r.opts.warmup)
	b.WriteString("CPU per request is the target's utime+stime (its whole process tree) from `/proc/PID/stat` over its\n" +
		"rounds, divided by the answers; peak RSS is `VmHWM`, reset after a warm-up so that the peak *under load*\n" +
		"is apart from the peak at start (which includes deriving the master key and compiling the core).\n" +
		"Latencies are the load generator's, exact to 0.4 %; only complete `200` answers count.\n\n")
	m := r.machine
	fmt.Fprintf(b, "| Machine | |\n|---|---|\n| CPU | %s |\n| | %s |\n| Kernel | %s |\n| Go | %s |\n| Memory | %s |\n",
		m.cpu, m.cpus, m.kernel, m.goVersion, m.memory)
	fmt.Fprintf(b, "| Load average (1, 5, 15 min) | %s at the start, %s at the end — other work on the machine |\n\n", m.loadAvg, r.loadAvgEnd)
}

// cellOf returns the cell of a target in a scenario, or nil.
func (r *report) cellOf(sc, id string) *cell {
	if r.load == nil {
		return nil
	}
	return r.load.cells[sc][id]
}

// goal is one line of the goals table.
type goal struct {
	what, want string
	got        string
	ok         bool
	known      bool
}

func (r *report) goals(b *strings.Builder) {
	var gs []goal
	ratio := func(sc, id, base string, f func(*cell) float64) (float64, bool) {
		c, h := r.cellOf(sc, id), r.cellOf(sc, base)
		if c == nil || h == nil || f(h) == 0 {
			return 0, false
		}
		return f(c) / f(h), true
	}
	added := func(sc, id string, f func(*cell) time.Duration) (time.Duration, bool) {
		c, h := r.cellOf(sc, id), r.cellOf(sc, "barehop")
		if c == nil || h == nil {
			return 0, false
		}
		return f(c) - f(h), true
	}
	cpu := func(c *cell) float64 { return float64(c.perRequest(c.cpu)) }
	rps := func(c *cell) float64 { return c.rate() }
	p50 := func(c *cell) time.Duration { return c.latency.Quantile(0.5) }
	ttfb := func(c *cell) time.Duration { return c.ttfb.Quantile(0.5) }
	for _, id := range []string{"akr", "akr-native"} {
		label := r.load.targets[id].label
		v, ok := ratio("chat-32", id, "barehop", cpu)
		gs = append(gs, goal{label + ": CPU per request ÷ bare hop (non-streaming, 32 conns)", "≤ 1.25", ratioString(v), v <= 1.25, ok})
		v, ok = ratio("chat-32", id, "barehop", rps)
		gs = append(gs, goal{label + ": req/s ÷ bare hop", "≥ 0.80", ratioString(v), v >= 0.8, ok})
		d, ok := added("chat-1", id, p50)
		gs = append(gs, goal{label + ": unloaded p50 added over the bare hop", "≤ 30 µs", durString(d), d <= 30*time.Microsecond, ok})
		d, ok = added("stream-1", id, ttfb)
		gs = append(gs, goal{label + ": streaming time to first byte added over the bare hop, unloaded p50", "≤ 50 µs", durString(d), d <= 50*time.Microsecond, ok})
		d, ok = added("stream-32", id, ttfb)
		gs = append(gs, goal{label + ": the same at 32 connections", "≤ 50 µs", durString(d), d <= 50*time.Microsecond, ok})
	}
	for _, id := range []string{"akr-anthropic", "akr-anthropic-in", "akr-plugin"} {
		v, ok := ratio("chat-32", id, "barehop", cpu)
		gs = append(gs, goal{r.load.targets[id].label + ": CPU per request ÷ bare hop", "≤ 2", ratioString(v), v <= 2, ok})
	}
	if p, ok := r.load.loadPeak["akr"]; ok {
		gs = append(gs, goal{"apikeyrouter, 3 keys: peak RSS under load", "≤ 40 MiB", mib(p), p <= 40<<20, true})
	}
	if p, ok := r.load.loadPeak["akr-1000"]; ok {
		gs = append(gs, goal{"apikeyrouter, 1,000 keys: peak RSS under load", "≤ 64 MiB", mib(p), p <= 64<<20, true})
	}
	if r.micro != nil {
		v, ok := r.micro.median(wasmcorePkg, "BenchmarkRoute/keys=100/budgets=0/core=wazero", "route-ns/op")
		gs = append(gs, goal{"decision (route) in WebAssembly at 100 keys", "≤ 3 µs", durString(time.Duration(v)), v <= 3000, ok})
		for _, n := range [][2]int{{100, 1000}, {1000, 10000}} {
			a, ok1 := r.micro.median(wasmcorePkg, fmt.Sprintf("BenchmarkRoute/keys=%d/budgets=0/core=wazero", n[0]), "ns/op")
			c, ok2 := r.micro.median(wasmcorePkg, fmt.Sprintf("BenchmarkRoute/keys=%d/budgets=0/core=wazero", n[1]), "ns/op")
			g := c / a
			gs = append(gs, goal{fmt.Sprintf("route+apply in WebAssembly, growth from %d to %d keys", n[0], n[1]), "≤ 10× (linear)",
				ratioString(g), g <= 10, ok1 && ok2})
			a, ok1 = r.micro.median(corePkg, fmt.Sprintf("BenchmarkDecide/objective=fairness/keys=%d", n[0]), "ns/op")
			c, ok2 = r.micro.median(corePkg, fmt.Sprintf("BenchmarkDecide/objective=fairness/keys=%d", n[1]), "ns/op")
			g = c / a
			gs = append(gs, goal{fmt.Sprintf("the decision natively (`core.Machine`, fairness), growth from %d to %d keys", n[0], n[1]), "≤ 10× (linear)",
				ratioString(g), g <= 10, ok1 && ok2})
		}
	}
	b.WriteString("## Goals\n\nRatios are between targets measured in this run.\n\n| Goal | Wanted | Measured | |\n|---|---|---|---|\n")
	for _, g := range gs {
		mark := "✗ missed"
		switch {
		case !g.known:
			g.got, mark = "—", "not measured"
		case g.ok:
			mark = "✓"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", g.what, g.want, g.got, mark)
	}
	b.WriteString("\nThe ≤ 2 goal is the translating adapter's (Anthropic, as a plugin); the in-process Anthropic and the\n" +
		"OpenAI plugin rows separate the translation from the plugin hop.\n")
	b.WriteString("\n## Targets\n\n| Target | What |\n|---|---|\n")
	for _, s := range specs {
		fmt.Fprintf(b, "| %s | %s |\n", s.label, s.note)
	}
}

func (r *report) loadTables(b *strings.Builder) {
	hop := func(sc string) *cell { return r.cellOf(sc, "barehop") }
	rows := func(sc *scenario, row func(t *target, c, h *cell) string) {
		for _, id := range sc.targets {
			fmt.Fprintln(b, row(r.load.targets[id], r.load.cells[sc.id][id], hop(sc.id)))
		}
	}
	for i := range scenarios {
		sc := &scenarios[i]
		fmt.Fprintf(b, "\n## %s\n\n", sc.title)
		switch {
		case !sc.stream && sc.conns > 1:
			b.WriteString("| Target | req/s | p50 | p99 | CPU/req | peak RSS under load | peak RSS at start | req/s ÷ hop | CPU ÷ hop | p50 − hop |\n" +
				"|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			rows(sc, func(t *target, c, h *cell) string {
				return fmt.Sprintf("| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s |", t.label, c.rate(),
					durString(c.latency.Quantile(0.5)), durString(c.latency.Quantile(0.99)), durString(c.perRequest(c.cpu)),
					mib(r.load.loadPeak[t.id]), mib(t.startPeak), ratioString(c.rate()/h.rate()),
					ratioString(float64(c.perRequest(c.cpu))/float64(h.perRequest(h.cpu))),
					signed(c.latency.Quantile(0.5)-h.latency.Quantile(0.5)))
			})
		case sc.stream:
			b.WriteString("Time to first byte (TTFB) is to the first byte of the answer's body — the first event; to last byte\n" +
				"(TTLB), to the end of the stream.\n\n" +
				"| Target | req/s | TTFB p50 | TTFB p99 | TTLB p50 | TTLB p99 | CPU/req | bytes/answer | TTFB p50 − hop | TTLB p50 − hop | CPU ÷ hop |\n" +
				"|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			rows(sc, func(t *target, c, h *cell) string {
				return fmt.Sprintf("| %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s | %s |", t.label, c.rate(),
					durString(c.ttfb.Quantile(0.5)), durString(c.ttfb.Quantile(0.99)),
					durString(c.latency.Quantile(0.5)), durString(c.latency.Quantile(0.99)), durString(c.perRequest(c.cpu)),
					bodySize(c), signed(c.ttfb.Quantile(0.5)-h.ttfb.Quantile(0.5)), signed(c.latency.Quantile(0.5)-h.latency.Quantile(0.5)),
					ratioString(float64(c.perRequest(c.cpu))/float64(h.perRequest(h.cpu))))
			})
		default:
			mock := r.cellOf(sc.id, "mock")
			b.WriteString("| Target | req/s | p50 | p90 | p99 | p99.9 | CPU/req | p50 − hop | p50 − mock |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			rows(sc, func(t *target, c, h *cell) string {
				return fmt.Sprintf("| %s | %.0f | %s | %s | %s | %s | %s | %s | %s |", t.label, c.rate(),
					durString(c.latency.Quantile(0.5)), durString(c.latency.Quantile(0.9)), durString(c.latency.Quantile(0.99)),
					durString(c.latency.Quantile(0.999)), durString(c.perRequest(c.cpu)),
					signed(c.latency.Quantile(0.5)-h.latency.Quantile(0.5)), signed(c.latency.Quantile(0.5)-mock.latency.Quantile(0.5)))
			})
		}
	}
	r.overheadTables(b)
	b.WriteString("\n## Checks\n\nThe upstream mock's and the load generator's CPU per request: a server's cost per request falls as its\n" +
		"rate rises (more requests per wake-up), so these vary with the target's rate while doing the same work; the\n" +
		"generator stays far from a core's worth. The spread of req/s between rounds shows the drift of the machine.\n\n" +
		"| Scenario | Target | answers | mock CPU/req | load generator CPU/req | req/s per round, min – max |\n|---|---|--:|--:|--:|--:|\n")
	for i := range scenarios {
		sc := &scenarios[i]
		for _, id := range sc.targets {
			c := r.load.cells[sc.id][id]
			fmt.Fprintf(b, "| %s | %s | %d | %s | %s | %.0f – %.0f |\n", sc.id, r.load.targets[id].label, c.requests,
				durString(c.perRequest(c.mockCPU)), durString(c.perRequest(c.loadCPU)), slices.Min(c.rps), slices.Max(c.rps))
		}
	}
}

func (r *report) overheadTables(b *strings.Builder) {
	b.WriteString("\n## Router overhead: `x-apikeyrouter-overhead-us`\n\n" +
		"What apikeyrouter says it spent itself on each answer (the header), as the load generator received it, next\n" +
		"to what the latency tables show it added over the bare hop (p50 − hop).\n\n" +
		"| Scenario | Target | answers with the header | mean | p50 | p90 | p99 | p99.9 | max | p50 − hop (latency) |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for i := range scenarios {
		sc := &scenarios[i]
		h := r.cellOf(sc.id, "barehop")
		for _, id := range sc.targets {
			t, c := r.load.targets[id], r.load.cells[sc.id][id]
			if !t.router {
				continue
			}
			o := &c.overhead
			hopDiff := c.latency.Quantile(0.5) - h.latency.Quantile(0.5)
			if sc.stream {
				hopDiff = c.ttfb.Quantile(0.5) - h.ttfb.Quantile(0.5)
			}
			fmt.Fprintf(b, "| %s | %s | %d of %d | %s | %s | %s | %s | %s | %s | %s |\n", sc.id, t.label, o.Count(), c.requests,
				durString(o.Mean()), durString(o.Quantile(0.5)), durString(o.Quantile(0.9)), durString(o.Quantile(0.99)), durString(o.Quantile(0.999)),
				durString(o.Max()), signed(hopDiff))
		}
	}
	b.WriteString("\nThe same, as each router exported it on `/metrics` (`apikeyrouter_overhead_seconds`, every request since\n" +
		"start, warm-ups included) against the requests sent to it; the buckets are cumulative shares:\n\n| Target | requests sent | histogram count | mean |")
	var ids []string
	var bounds []string
	for _, s := range specs {
		if h := r.load.metrics[s.id]; h != nil {
			ids = append(ids, s.id)
			bounds = h.bounds
		}
	}
	for _, le := range bounds {
		fmt.Fprintf(b, " ≤ %s |", leLabel(le))
	}
	b.WriteString("\n|---|--:|--:|--:|" + strings.Repeat("--:|", len(bounds)) + "\n")
	for _, id := range ids {
		h, t := r.load.metrics[id], r.load.targets[id]
		mean := time.Duration(0)
		if h.count > 0 {
			mean = time.Duration(h.sum / float64(h.count) * float64(time.Second))
		}
		fmt.Fprintf(b, "| %s | %d | %d | %s |", t.label, t.sent, h.count, durString(mean))
		for _, n := range h.counts {
			fmt.Fprintf(b, " %.1f %% |", 100*float64(n)/float64(max(h.count, 1)))
		}
		b.WriteString("\n")
	}
}

// wasmcorePkg and corePkg are the micro suites' packages.
const (
	wasmcorePkg = "./hosts/internal/wasmcore"
	corePkg     = "./core"
)

func (r *report) microTables(b *strings.Builder, raw string) {
	m := r.micro
	get := func(pkg, name, unit string) string {
		v, ok := m.median(pkg, name, unit)
		if !ok {
			return "—"
		}
		if unit == "bytes" {
			return kib(v)
		}
		return durString(time.Duration(v))
	}
	quot := func(pkg, a, c, unit string) string {
		x, ok1 := m.median(pkg, a, unit)
		y, ok2 := m.median(pkg, c, unit)
		if !ok1 || !ok2 || y == 0 {
			return "—"
		}
		return ratioString(x / y)
	}
	route := func(n, budgets int, core string) string {
		return fmt.Sprintf("BenchmarkRoute/keys=%d/budgets=%d/core=%s", n, budgets, core)
	}
	fmt.Fprintf(b, "\n## The core: native and WebAssembly\n\nMedians of %d runs (`go test -bench`, `-benchtime %s`; snapshot and restore: %d runs), "+
		"natively and under wazero in the same run. Raw output: `%s` — compare with `benchstat -col /core %s`.\n\n",
		r.opts.microCount, r.opts.microTime, min(r.opts.microCount, 3), raw, raw)
	b.WriteString("### A decision and its outcome (route + apply), through the byte API\n\n" +
		"What a request costs the core: `BenchmarkRoute` in `hosts/internal/wasmcore` — encode, call, decode, " +
		"natively (`core.Machine.RouteMsg`/`ApplyMsg`) and in the WebAssembly module under wazero; " +
		"`route` is the decision's share. 1,000 budgets: one per key (up to the keys), the rest for other clients, and a global one.\n\n" +
		"| keys | budgets | native | wasm | wasm ÷ native | native route | wasm route | wasm × per 10× keys |\n|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, budgets := range []int{0, 1000} {
		prev := ""
		for _, n := range benchSizes {
			growth := "—"
			if prev != "" {
				growth = quot(wasmcorePkg, route(n, budgets, "wazero"), prev, "ns/op")
			}
			fmt.Fprintf(b, "| %d | %d | %s | %s | %s | %s | %s | %s |\n", n, budgets,
				get(wasmcorePkg, route(n, budgets, "native"), "ns/op"), get(wasmcorePkg, route(n, budgets, "wazero"), "ns/op"),
				quot(wasmcorePkg, route(n, budgets, "wazero"), route(n, budgets, "native"), "ns/op"),
				get(wasmcorePkg, route(n, budgets, "native"), "route-ns/op"), get(wasmcorePkg, route(n, budgets, "wazero"), "route-ns/op"), growth)
			prev = route(n, budgets, "wazero")
		}
	}
	b.WriteString("\n### The decision alone, natively (`core.Machine`, no codec)\n\n`BenchmarkDecide`, `BenchmarkDecideBudgets` and " +
		"`BenchmarkDecideQuota` in `core`: route and apply on the struct API. Quota: every key declares requests and tokens " +
		"per minute, and every answer carries the provider's rate-limit report.\n\n" +
		"| keys | fairness | cost | fairness, 1,000 budgets | the same with quota |\n|--:|--:|--:|--:|--:|\n")
	for _, n := range benchSizes {
		fmt.Fprintf(b, "| %d | %s | %s | %s | %s |\n", n,
			get(corePkg, fmt.Sprintf("BenchmarkDecide/objective=fairness/keys=%d", n), "ns/op"),
			get(corePkg, fmt.Sprintf("BenchmarkDecide/objective=cost/keys=%d", n), "ns/op"),
			get(corePkg, fmt.Sprintf("BenchmarkDecideBudgets/keys=%d", n), "ns/op"),
			get(corePkg, fmt.Sprintf("BenchmarkDecideQuota/keys=%d", n), "ns/op"))
	}
	b.WriteString("\n### Snapshot and restore\n\nEvery key has served one request. Size is the encoded snapshot.\n\n" +
		"| keys | budgets | size | snapshot native | snapshot wasm | wasm ÷ native | restore native | restore wasm | wasm ÷ native |\n|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, n := range benchSizes {
		for _, budgets := range []int{0, 1000} {
			name := func(bench, core string) string {
				return fmt.Sprintf("Benchmark%s/keys=%d/budgets=%d/core=%s", bench, n, budgets, core)
			}
			fmt.Fprintf(b, "| %d | %d | %s | %s | %s | %s | %s | %s | %s |\n", n, budgets,
				get(wasmcorePkg, name("Snapshot", "native"), "bytes"),
				get(wasmcorePkg, name("Snapshot", "native"), "ns/op"), get(wasmcorePkg, name("Snapshot", "wazero"), "ns/op"),
				quot(wasmcorePkg, name("Snapshot", "wazero"), name("Snapshot", "native"), "ns/op"),
				get(wasmcorePkg, name("Restore", "native"), "ns/op"), get(wasmcorePkg, name("Restore", "wazero"), "ns/op"),
				quot(wasmcorePkg, name("Restore", "wazero"), name("Restore", "native"), "ns/op"))
		}
	}
}

// benchSizes are the fleet sizes of the core's benchmarks.
var benchSizes = []int{10, 100, 1000, 10000}

// durString formats a duration for a table: µs below 10 ms, else ms.
func durString(d time.Duration) string {
	switch v := us(d); {
	case math.Abs(v) >= 10_000:
		return fmt.Sprintf("%.1f ms", v/1000)
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f µs", v)
	default:
		return fmt.Sprintf("%.1f µs", v)
	}
}

// signed is durString with a sign.
func signed(d time.Duration) string {
	if d >= 0 {
		return "+" + durString(d)
	}
	return "−" + durString(-d)
}

func ratioString(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return fmt.Sprintf("%.2f×", v)
}

func mib(n int64) string {
	if n == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func kib(v float64) string {
	if v >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	}
	return fmt.Sprintf("%.1f KiB", v/(1<<10))
}

// bodySize returns an answer's body size, or its range if answers
// differed.
func bodySize(c *cell) string {
	if c.bodyMin == c.bodyMax {
		return fmt.Sprintf("%d B", c.bodyMin)
	}
	return fmt.Sprintf("%d–%d B", c.bodyMin, c.bodyMax)
}

// leLabel turns a bucket bound in seconds into µs.
func leLabel(le string) string {
	var s float64
	if _, err := fmt.Sscan(le, &s); err != nil {
		return le
	}
	return fmt.Sprintf("%g µs", s*1e6)
}
