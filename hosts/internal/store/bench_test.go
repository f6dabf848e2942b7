package store

import "testing"

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
