package wal

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchRecord is about the size of an encoded core input.
var benchRecord = make([]byte, 256)

// BenchmarkAppend measures one Append of a 256-byte record per sync
// policy, on the caller's goroutine: the cost on the request path while
// the caller holds its ordering lock. SyncBatch's fsyncs run in the
// background and are not waited for here.
//
//	go test -run '^$' -bench BenchmarkAppend -benchmem ./hosts/internal/wal
func BenchmarkAppend(b *testing.B) {
	for _, policy := range []SyncPolicy{SyncNone, SyncBatch, SyncAlways} {
		b.Run("sync="+policy.String(), func(b *testing.B) {
			l, err := Open(b.TempDir(), Options{Sync: policy})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			b.ReportAllocs()
			seq := l.Last()
			for b.Loop() {
				seq++
				if err := l.Append(seq, benchRecord); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDurableAppend measures durable appends per second with 1, 8 and
// 64 concurrent writers, each appending under one shared mutex (the
// caller's ordering lock) and calling WaitDurable after releasing it: the
// proxy's pattern. appends/fsync shows how many records group commit puts
// in one fsync.
//
//	go test -run '^$' -bench BenchmarkDurableAppend -benchtime 2000x ./hosts/internal/wal
func BenchmarkDurableAppend(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"batch", Options{Sync: SyncBatch}},
		{"batch-1ms", Options{Sync: SyncBatch, SyncInterval: time.Millisecond}},
		{"always", Options{Sync: SyncAlways}},
	} {
		for _, writers := range []int{1, 8, 64} {
			b.Run(fmt.Sprintf("sync=%s/writers=%d", tc.name, writers), func(b *testing.B) {
				l, err := Open(b.TempDir(), tc.opts)
				if err != nil {
					b.Fatal(err)
				}
				defer l.Close()
				ff := inject(l, &faultyFile{}) // counts fsyncs

				var (
					mu   sync.Mutex
					seq  uint64
					next atomic.Int64
					wg   sync.WaitGroup
				)
				b.ReportAllocs()
				b.ResetTimer()
				for range writers {
					wg.Go(func() {
						for next.Add(1) <= int64(b.N) {
							mu.Lock()
							err := l.Append(seq+1, benchRecord)
							if err == nil {
								seq++
							}
							mine := seq
							mu.Unlock()
							if err == nil {
								err = l.WaitDurable(mine)
							}
							if err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
				b.ReportMetric(float64(b.N)/float64(max(ff.count(), 1)), "appends/fsync")
			})
		}
	}
}
