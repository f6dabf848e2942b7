package store

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkSaveSnapshot measures one durable (fsync'd) snapshot of 64 KiB,
// the size of a core with a few hundred keys.
//
//	go test -run '^$' -bench BenchmarkSaveSnapshot ./hosts/internal/store
func BenchmarkSaveSnapshot(b *testing.B) {
	opts := testOptions(testMasterKey)
	opts.NoSync = false
	s, err := Open(b.TempDir(), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	state := make([]byte, 64<<10)
	b.ReportAllocs()
	var seq uint64
	for b.Loop() {
		seq++
		if err := s.SaveSnapshot(seq, state); err != nil {
			b.Fatal(err)
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

// BenchmarkCheckFile measures the check Open runs on an existing file
// before it writes to it: a read-only open, a walk of every page and
// bbolt's Tx.Check, on a store of n secrets and a snapshot.
//
//	go test -run '^$' -bench BenchmarkCheckFile ./hosts/internal/store
func BenchmarkCheckFile(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			path := filledStore(b, b.TempDir(), n)
			size := fileSize(b, path)
			b.ReportAllocs()
			for b.Loop() {
				if err := checkFile(path, size, time.Second); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size), "file-bytes")
		})
	}
}
