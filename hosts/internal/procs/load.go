package procs

import (
	"net/http"
	"sync/atomic"
)

// Load counts the requests a server has in hand, and the most it had at
// once since [Run] last looked. The zero value counts none.
type Load struct {
	inflight, peak atomic.Int64
}

// Handler counts h's requests.
func (l *Load) Handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := l.inflight.Add(1)
		defer l.inflight.Add(-1)
		for p := l.peak.Load(); n > p && !l.peak.CompareAndSwap(p, n); p = l.peak.Load() {
		}
		h.ServeHTTP(w, r)
	})
}

// takePeak returns the most requests in hand at once since the last call.
func (l *Load) takePeak() int64 { return l.peak.Swap(l.inflight.Load()) }
