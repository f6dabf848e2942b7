package main

import (
	"slices"
	"testing"
)

// TestRoundOrder: rounds go forwards and backwards in turn, and leave the
// scenario's own list as it was.
func TestRoundOrder(t *testing.T) {
	targets := []string{"a", "b", "c"}
	want := [][]string{{"a", "b", "c"}, {"c", "b", "a"}, {"a", "b", "c"}, {"c", "b", "a"}}
	for r, w := range want {
		if got := roundOrder(targets, r); !slices.Equal(got, w) {
			t.Errorf("round %d: %v, want %v", r, got, w)
		}
	}
	if !slices.Equal(targets, []string{"a", "b", "c"}) {
		t.Fatalf("the targets were reordered in place: %v", targets)
	}
}
