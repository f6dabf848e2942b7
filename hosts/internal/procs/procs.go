// Package procs sizes the Go runtime's processors (GOMAXPROCS) to the
// proxy's load: one while the load is light or sequential, all of them
// while requests compete for the CPU.
//
// On a lightly loaded proxy each request wakes a goroutine, an OS thread
// and a CPU several times — the client's connection, the upstream's, the
// handler — and with more than one processor Go spreads those wake-ups
// over the CPUs, each of which starts from cold caches after an
// inter-processor interrupt. With one processor a request stays on one
// CPU. Measured on 2 cores as shipped, one connection sending requests
// back to back: 85 µs less latency and a quarter less CPU per request with
// one processor. Under concurrent load one processor caps the throughput
// at one CPU's worth, so [Run] gives them all back as soon as requests
// overlap and the process keeps half a CPU busy.
package procs

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"time"
)

// Window is how often [Run] looks at the load.
const Window = 100 * time.Millisecond

// Thresholds, in CPUs kept busy over a window.
const (
	// Up: at one processor, a window this busy in which requests
	// overlapped brings back all of them.
	Up = 0.5
	// Down: at all processors, QuietWindows in a row below this, or in
	// which no two requests overlapped, go to one. The gap to Up keeps a
	// steady load from switching back and forth (at all processors the
	// same load costs more CPU).
	Down         = 0.25
	QuietWindows = 10
)

// Controller decides how many processors to run on from each window's
// load. The zero value is not usable; see [NewController].
type Controller struct {
	max, cur int
	quiet    int // consecutive quiet windows
}

// NewController starts at max processors.
func NewController(max int) *Controller { return &Controller{max: max, cur: max} }

// Next returns the processors for the next window, given how many CPUs
// the last one kept busy and the most requests it had in hand at once.
func (c *Controller) Next(busy float64, peak int64) int {
	switch {
	case c.cur < c.max && busy > Up && peak > 1:
		c.cur, c.quiet = c.max, 0
	case c.cur == c.max && (busy < Down || peak <= 1):
		if c.quiet++; c.quiet >= QuietWindows {
			c.cur, c.quiet = 1, 0
		}
	default:
		c.quiet = 0
	}
	return c.cur
}

// Run adapts GOMAXPROCS to load until ctx ends, then restores the
// runtime's default. It does nothing when GOMAXPROCS is set in the
// environment (the operator's choice stands), when the runtime has a
// single processor anyway, or where the process's CPU time cannot be read.
func Run(ctx context.Context, load *Load, log *slog.Logger) {
	if os.Getenv("GOMAXPROCS") != "" || runtime.GOMAXPROCS(0) < 2 {
		return
	}
	used, ok := cpuTime()
	if !ok {
		return
	}
	c := NewController(runtime.GOMAXPROCS(0))
	defer runtime.SetDefaultGOMAXPROCS()
	t := time.NewTicker(Window)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			u, _ := cpuTime()
			busy := float64(u-used) / float64(now.Sub(last))
			used, last = u, now
			n := c.Next(busy, load.takePeak())
			if n == runtime.GOMAXPROCS(0) {
				continue
			}
			if n == 1 {
				runtime.GOMAXPROCS(1)
			} else {
				// the default again: it follows the CPU limit as it would
				// have had nobody set it
				runtime.SetDefaultGOMAXPROCS()
				c.max = runtime.GOMAXPROCS(0)
				c.cur = c.max
			}
			log.Debug("processors", "gomaxprocs", runtime.GOMAXPROCS(0), "busy_cpus", busy)
		}
	}
}
