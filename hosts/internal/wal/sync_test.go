package wal

import (
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestSyncPolicies(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncNone, SyncAlways, SyncBatch} {
		t.Run(policy.String(), func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{Sync: policy, SegmentSize: 2 << 10}
			l := openT(t, dir, opts)
			for seq := uint64(1); seq <= 50; seq++ {
				appendRange(t, l, seq, seq)
				if err := l.WaitDurable(seq); err != nil {
					t.Fatal(err)
				}
				if seq%20 == 0 {
					if err := l.Rotate(seq - 5); err != nil {
						t.Fatal(err)
					}
				}
			}
			l.Close()
			l = openT(t, dir, opts)
			checkReplay(t, l, 45, 50)
		})
	}
}

// TestSyncCounts counts the fsyncs of the segment that 10 appends go to.
func TestSyncCounts(t *testing.T) {
	for _, tc := range []struct {
		policy SyncPolicy
		want   int
	}{
		{SyncNone, 0},
		{SyncAlways, 10},
	} {
		l, err := Open(t.TempDir(), Options{Sync: tc.policy})
		if err != nil {
			t.Fatal(err)
		}
		ff := inject(l, &faultyFile{})
		appendRange(t, l, 1, 10)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if got := ff.count(); got != tc.want {
			t.Errorf("%v: %d fsyncs for 10 appends and Close, want %d", tc.policy, got, tc.want)
		}
	}
}

// TestSyncBatchSharesFsyncs holds the first fsync while 49 more records are
// appended and waited for: one more fsync covers them all.
func TestSyncBatchSharesFsyncs(t *testing.T) {
	l := openT(t, t.TempDir(), Options{Sync: SyncBatch})
	ff := inject(l, &faultyFile{hold: make(chan struct{}), entered: make(chan struct{}, 1)})
	appendRange(t, l, 1, 1)
	<-ff.entered // the flusher is in the fsync that covers record 1

	const n = 50
	appendRange(t, l, 2, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for seq := uint64(1); seq <= n; seq++ {
		wg.Go(func() { errs <- l.WaitDurable(seq) })
	}
	close(ff.hold)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := ff.count(); got != 2 {
		t.Errorf("%d fsyncs for %d records appended during the first one, want 2", got, n-1)
	}
}

// TestSyncBatchInterval checks, on synctest's fake clock, that fsyncs
// start at most once per SyncInterval, and that an idle log does not wait.
func TestSyncBatchInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const interval = time.Second
		l, err := Open(t.TempDir(), Options{Sync: SyncBatch, SyncInterval: interval})
		if err != nil {
			t.Fatal(err)
		}
		ff := inject(l, &faultyFile{})
		start := time.Now()
		appendRange(t, l, 1, 1)
		if err := l.WaitDurable(1); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("the first fsync waited %v", d)
		}

		appendRange(t, l, 2, 3)
		done := make(chan error, 1)
		go func() { done <- l.WaitDurable(3) }()
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("WaitDurable(3) returned %v before the interval passed", err)
		default:
		}
		time.Sleep(interval)
		synctest.Wait()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatal("WaitDurable(3) still waiting after the interval")
		}
		if got := ff.count(); got != 2 {
			t.Errorf("%d fsyncs, want 2", got)
		}

		// Close makes the rest durable at once.
		appendRange(t, l, 4, 4)
		go func() { done <- l.WaitDurable(4) }()
		synctest.Wait()
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Errorf("WaitDurable(4) across Close: %v", err)
		}
	})
}

func TestSyncPolicyString(t *testing.T) {
	for p, want := range map[SyncPolicy]string{SyncNone: "none", SyncAlways: "always", SyncBatch: "batch", 7: "SyncPolicy(7)"} {
		if got := fmt.Sprint(p); got != want {
			t.Errorf("SyncPolicy %d prints %q, want %q", p, got, want)
		}
	}
}
