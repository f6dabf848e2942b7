package procs

import (
	"context"
	"log/slog"
	"runtime"
	"testing"
)

func TestControllerDropsToOneOnlyAfterAQuietSecond(t *testing.T) {
	c := NewController(4)
	for i := range QuietWindows - 1 {
		if n := c.Next(0.1, 5); n != 4 {
			t.Fatalf("quiet window %d: %d processors, want 4 until %d quiet windows", i+1, n, QuietWindows)
		}
	}
	if n := c.Next(0.1, 5); n != 1 {
		t.Fatalf("after %d quiet windows: %d processors, want 1", QuietWindows, n)
	}
}

func TestControllerQuietCountRestartsOnABusierWindow(t *testing.T) {
	c := NewController(2)
	for range QuietWindows - 1 {
		c.Next(0, 5)
	}
	c.Next(Down, 5) // not below Down: the count starts again
	for i := range QuietWindows - 1 {
		if n := c.Next(0, 5); n != 2 {
			t.Fatalf("quiet window %d after a busier one: %d processors, want 2", i+1, n)
		}
	}
	if n := c.Next(0, 5); n != 1 {
		t.Fatalf("%d processors, want 1", n)
	}
}

func TestControllerReturnsToAllOnOneBusyWindow(t *testing.T) {
	c := NewController(2)
	for range QuietWindows {
		c.Next(0, 5)
	}
	// Between Down and Up one processor stays: no switching back and forth
	// on a steady middling load.
	for _, busy := range []float64{Down, 0.4, Up} {
		if n := c.Next(busy, 5); n != 1 {
			t.Fatalf("busy %.2f at one processor: %d, want 1", busy, n)
		}
	}
	if n := c.Next(Up+0.01, 5); n != 2 {
		t.Fatalf("busy over Up: %d processors, want 2", n)
	}
	// and at all processors a middling load keeps them
	for range 3 * QuietWindows {
		if n := c.Next(0.3, 5); n != 2 {
			t.Fatalf("busy 0.3 at all processors: %d, want 2", n)
		}
	}
}

// One connection's requests back to back keep the process busy, but they
// never overlap: one processor, whose wake-ups stay on one CPU, serves
// them best; overlapping ones bring back all processors.
func TestControllerFollowsOverlapNotJustCPU(t *testing.T) {
	c := NewController(2)
	for i := range QuietWindows {
		if n := c.Next(1.0, 1); n != 2 && i < QuietWindows-1 {
			t.Fatalf("window %d: %d processors", i+1, n)
		}
	}
	if n := c.Next(1.0, 1); n != 1 {
		t.Fatalf("sequential requests at 1.0 CPUs: %d processors, want 1", n)
	}
	if n := c.Next(1.0, 2); n != 2 {
		t.Fatalf("overlapping requests at 1.0 CPUs: %d processors, want 2", n)
	}
	if n := c.Next(0.1, 30); n != 2 {
		t.Fatalf("one quiet window: %d processors, want 2", n)
	}
}

func TestRunLeavesAnOperatorsGOMAXPROCSAlone(t *testing.T) {
	t.Setenv("GOMAXPROCS", "3")
	before := runtime.GOMAXPROCS(0)
	done := make(chan struct{})
	go func() { Run(context.Background(), new(Load), slog.New(slog.DiscardHandler)); close(done) }()
	<-done // returns at once, or the test times out
	if after := runtime.GOMAXPROCS(0); after != before {
		t.Fatalf("GOMAXPROCS %d, was %d", after, before)
	}
}

func TestCPUTimeAdvances(t *testing.T) {
	a, ok := cpuTime()
	if !ok {
		t.Skip("no process CPU time here")
	}
	x := 0
	for i := range 50_000_000 {
		x += i & 3
	}
	b, _ := cpuTime()
	if b <= a || x == 0 {
		t.Fatalf("CPU time %v then %v after a busy loop", a, b)
	}
}
