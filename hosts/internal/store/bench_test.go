package store

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkJournalAppend measures durable (fsync'd) journal appends per
// second with 1, 8 and 64 concurrent writers, through the group-commit
// queue ("batched": the proxy's pattern) and with one transaction per entry
// ("unbatched": what a writer that commits under its ordering lock gets).
//
//	go test -run '^$' -bench BenchmarkJournalAppend -benchtime 2000x ./hosts/internal/store
func BenchmarkJournalAppend(b *testing.B) {
	data := make([]byte, 256) // about the size of an encoded core input
	for _, mode := range []string{"batched", "unbatched"} {
		for _, writers := range []int{1, 8, 64} {
			b.Run(fmt.Sprintf("%s/writers=%d", mode, writers), func(b *testing.B) {
				opts := testOptions(testMasterKey)
				opts.NoSync = false
				s, err := Open(b.TempDir(), opts)
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()

				var (
					mu  sync.Mutex
					seq uint64
				)
				appendOne := func() error {
					mu.Lock()
					seq++
					wait := s.Enqueue(Entry{seq, data})
					mu.Unlock()
					return wait()
				}
				if mode == "unbatched" {
					appendOne = func() error {
						mu.Lock()
						defer mu.Unlock()
						seq++
						return s.update(func(tx *bolt.Tx) error { return putEntries(tx, []Entry{{seq, data}}, 0) })
					}
				}

				b.ReportAllocs()
				b.ResetTimer()
				var (
					next atomic.Int64
					wg   sync.WaitGroup
				)
				for range writers {
					wg.Go(func() {
						for next.Add(1) <= int64(b.N) {
							if err := appendOne(); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
			})
		}
	}
}

// BenchmarkDeriveKEK measures one Argon2id derivation with the default
// parameters: the cost Open and RotateMasterKey pay once.
//
//	go test -run '^$' -bench BenchmarkDeriveKEK ./hosts/internal/store
func BenchmarkDeriveKEK(b *testing.B) {
	p := KDFParams{}.orDefault()
	salt := make([]byte, saltSize)
	for b.Loop() {
		deriveKEK([]byte(testMasterKey), salt, p)
	}
}

// BenchmarkSecret measures reading one secret: a read transaction and an
// AES-256-GCM open.
//
//	go test -run '^$' -bench BenchmarkSecret ./hosts/internal/store
func BenchmarkSecret(b *testing.B) {
	s := openTest(b, b.TempDir())
	if err := s.PutSecret("openai-1", []byte("sk-proj-0123456789abcdefghijklmnopqrstuvwxyz")); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Secret("openai-1"); err != nil {
			b.Fatal(err)
		}
	}
}
