package store

import (
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// testKDF makes Argon2id cheap, so tests open stores in microseconds. The
// default costs are measured in BenchmarkDeriveKEK.
var testKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

const testMasterKey = "test master key, not secret"

// testOptions are the options tests open stores with: no fsync.
func testOptions(key string) Options {
	return Options{MasterKey: []byte(key), NoSync: true, KDF: testKDF}
}

// openTest opens a store in dir and closes it when the test ends.
func openTest(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(dir, testOptions(testMasterKey))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenCreatesPrivateDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	s := openTest(t, dir)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, tc := range []struct {
		path string
		want fs.FileMode
	}{
		{dir, fs.ModeDir | 0o700},
		{filepath.Join(dir, FileName), 0o600},
	} {
		fi, err := os.Stat(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != tc.want {
			t.Errorf("%s: mode %v, want %v", tc.path, fi.Mode(), tc.want)
		}
	}
}

func TestOpenLockedFailsFast(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir)
	opts := testOptions(testMasterKey)
	opts.LockTimeout = 50 * time.Millisecond
	s, err := Open(dir, opts)
	if !errors.Is(err, ErrLocked) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("second Open: err = %v, want ErrLocked", err)
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"no master key", Options{NoSync: true}},
		{"kdf time too high", Options{MasterKey: []byte("k"), KDF: KDFParams{Time: 1000}}},
		{"kdf memory below 8×threads", Options{MasterKey: []byte("k"), KDF: KDFParams{Time: 1, MemoryKiB: 8, Threads: 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			_, err := Open(dir, tc.opts)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Open: err = %v, want ErrInvalid", err)
			}
			if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Open created %s before validating its options", dir)
			}
		})
	}
}

func TestOpenRejectsOtherSchema(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	s.Close()

	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint64(nil, schemaVersion+1))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	if _, err := Open(dir, testOptions(testMasterKey)); err == nil || !strings.Contains(err.Error(), "unsupported schema version 2") {
		t.Fatalf("Open: err = %v, want unsupported schema version", err)
	}
}

func TestClosedStoreReturnsErrClosed(t *testing.T) {
	s := openTest(t, t.TempDir())
	if err := s.PutSecret("a", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for name, call := range map[string]func() error{
		"Close":        s.Close,
		"PutSecret":    func() error { return s.PutSecret("a", []byte("x")) },
		"Secret":       func() error { _, err := s.Secret("a"); return err },
		"DeleteSecret": func() error { return s.DeleteSecret("a") },
		"SecretIDs":    func() error { _, err := s.SecretIDs(); return err },
		"Put":          func() error { return s.Put("k", "a", nil) },
		"Get":          func() error { _, err := s.Get("k", "a"); return err },
		"List":         func() error { _, err := s.List("k"); return err },
		"Delete":       func() error { return s.Delete("k", "a") },
		"SaveSnapshot": func() error { return s.SaveSnapshot(1, nil) },
		"LatestSnapshot": func() error {
			_, _, err := s.LatestSnapshot()
			return err
		},
		"RotateMasterKey": func() error { return s.RotateMasterKey([]byte("new")) },
	} {
		if err := call(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: err = %v, want ErrClosed", name, err)
		}
	}
}

func mustExecutable(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
