package main

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		fails int
		want  time.Duration
	}{
		{0, 0}, {1, 0}, // a plugin's first death: restart at once
		{2, 100 * time.Millisecond}, {3, 200 * time.Millisecond}, {4, 400 * time.Millisecond},
		{10, 25600 * time.Millisecond}, {11, 30 * time.Second}, {1000, 30 * time.Second},
	} {
		if got := backoff(tc.fails); got != tc.want {
			t.Errorf("backoff(%d) = %v, want %v", tc.fails, got, tc.want)
		}
	}
}
