package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// microSuite is one go test run of benchmarks.
type microSuite struct {
	pkg, bench string
	// count overrides -micro-count when smaller (the slow snapshot and
	// restore benchmarks).
	count int
}

// microSuites are the core's benchmarks the report shows: the decision
// natively (struct API), then route+apply, snapshot and restore natively
// and under wazero through the byte API.
var microSuites = []microSuite{
	{pkg: "./core", bench: "^BenchmarkDecide(Budgets|Quota)?$"},
	{pkg: "./hosts/internal/wasmcore", bench: "^BenchmarkRoute$/keys=/budgets=/core=(native|wazero)$"},
	{pkg: "./hosts/internal/wasmcore", bench: "^Benchmark(Snapshot|Restore)$/keys=/budgets=/core=(native|wazero)$", count: 3},
}

// microReport holds the benchmarks' results: every sample, by package and
// name (without the -GOMAXPROCS suffix), by unit.
type microReport struct {
	raw     []byte
	samples map[string]map[string][]float64
}

// runMicro runs the suites one after another.
func runMicro(ctx context.Context, root string, o options) (*microReport, error) {
	rep := &microReport{samples: map[string]map[string][]float64{}}
	for _, s := range microSuites {
		count := o.microCount
		if s.count > 0 {
			count = min(count, s.count)
		}
		log.Printf("go test %s -bench %s -count %d", s.pkg, s.bench, count)
		cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", s.bench, "-benchmem",
			"-count", strconv.Itoa(count), "-benchtime", o.microTime, "-timeout", "20m", s.pkg)
		cmd.Dir = root
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go test %s: %v\n%s%s", s.pkg, err, out, stderr.Bytes())
		}
		rep.raw = append(rep.raw, out...)
		rep.parse(s.pkg, out)
	}
	return rep, nil
}

// parse reads benchmark lines: name, iterations, then value-unit pairs.
func (r *microReport) parse(pkg string, out []byte) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		key := pkg + " " + name
		if r.samples[key] == nil {
			r.samples[key] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			r.samples[key][f[i+1]] = append(r.samples[key][f[i+1]], v)
		}
	}
}

// median returns the median of a benchmark's samples in unit, and whether
// there were any.
func (r *microReport) median(pkg, name, unit string) (float64, bool) {
	s := slices.Clone(r.samples[pkg+" "+name][unit])
	if len(s) == 0 {
		return 0, false
	}
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2], true
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2, true
}
