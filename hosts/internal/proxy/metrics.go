package proxy

import (
	"fmt"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"
)

// overheadBuckets are the upper bounds, in µs, of the router-overhead
// histogram.
var overheadBuckets = [...]int64{10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000}

// metrics holds the proxy's counters, exported in Prometheus' text format,
// and the process's goroutine count (Prometheus' Go collector's name), which
// a soak test watches for leaks.
type metrics struct {
	overhead [len(overheadBuckets) + 1]atomic.Int64
	sumUS    atomic.Int64
	count    atomic.Int64
}

func newMetrics() *metrics { return &metrics{} }

// observe records one request's router overhead.
func (m *metrics) observe(d time.Duration) {
	us := d.Microseconds()
	i := 0
	for i < len(overheadBuckets) && us > overheadBuckets[i] {
		i++
	}
	m.overhead[i].Add(1)
	m.sumUS.Add(us)
	m.count.Add(1)
}

func (m *metrics) serve(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintln(w, "# HELP apikeyrouter_overhead_seconds Time spent in the router itself per routed request (not upstream).")
	fmt.Fprintln(w, "# TYPE apikeyrouter_overhead_seconds histogram")
	var cum int64
	for i, b := range overheadBuckets {
		cum += m.overhead[i].Load()
		fmt.Fprintf(w, "apikeyrouter_overhead_seconds_bucket{le=\"%g\"} %d\n", float64(b)/1e6, cum)
	}
	cum += m.overhead[len(overheadBuckets)].Load()
	fmt.Fprintf(w, "apikeyrouter_overhead_seconds_bucket{le=\"+Inf\"} %d\n", cum)
	fmt.Fprintf(w, "apikeyrouter_overhead_seconds_sum %g\n", float64(m.sumUS.Load())/1e6)
	fmt.Fprintf(w, "apikeyrouter_overhead_seconds_count %d\n", m.count.Load())
	fmt.Fprintln(w, "# HELP go_goroutines Number of goroutines that currently exist.")
	fmt.Fprintln(w, "# TYPE go_goroutines gauge")
	fmt.Fprintf(w, "go_goroutines %d\n", runtime.NumGoroutine())
}
