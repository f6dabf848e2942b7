package sdk

import (
	"testing"
	"time"
)

func TestWaitForOrphaningReturnsWhenTheParentChanges(t *testing.T) {
	parents := []int{42, 42, 42, 1}
	asked := 0
	getppid := func() int { p := parents[asked]; asked++; return p }
	tick := make(chan time.Time, len(parents))
	for range len(parents) {
		tick <- time.Time{}
	}
	close(tick)
	waitForOrphaning(getppid, tick)
	if asked != len(parents) {
		t.Fatalf("returned after %d questions, want %d (at the first change of parent)", asked, len(parents))
	}
}

func TestWaitForOrphaningWaitsWhileTheParentLives(t *testing.T) {
	asked := 0
	tick := make(chan time.Time, 5)
	for range 5 {
		tick <- time.Time{}
	}
	close(tick)
	waitForOrphaning(func() int { asked++; return 42 }, tick)
	if asked != 6 {
		t.Fatalf("asked %d times, want 6 (once, then at each of 5 ticks)", asked)
	}
}
