package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// pageSize is bbolt's page size on the test machines (the OS page size).
var pageSize = os.Getpagesize()

// filledStore creates a store in dir holding n secrets and a snapshot,
// closed, and returns the path of its file.
func filledStore(t testing.TB, dir string, n int) string {
	t.Helper()
	s, err := Open(dir, testOptions(testMasterKey))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := s.PutSecret(fmt.Sprintf("key-%05d", i), []byte("sk-0123456789abcdefghijklmnopqrstuvwxyz")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveSnapshot(1, bytes.Repeat([]byte("state "), 10<<10)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, FileName)
}

// secretsPage returns the root page of the bucket of secrets in the store
// at path.
func secretsPage(t testing.TB, path string) (page int64) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		page = int64(tx.Bucket(bucketSecrets).Root())
		return nil
	})
	if page < 2 {
		t.Fatalf("the secrets bucket is inline (root page %d): the test needs more secrets", page)
	}
	return page
}

// writeAt overwrites path at off with b.
func writeAt(t testing.TB, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// garbage is n bytes that no page starts with.
func garbage(n int) []byte { return bytes.Repeat([]byte{0xa5, 0x5a, 0x3c}, n)[:n] }

// wildPageRef makes the first child of the branch page at page point to a
// page far past the end of the file, as one flipped bit in a page number
// would: bbolt then reads outside its memory map.
func wildPageRef(t testing.TB, path string, page int64) {
	t.Helper()
	const branchFlag = 0x01
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	off := page * int64(pageSize)
	if flags := binary.LittleEndian.Uint16(b[off+8:]); flags != branchFlag {
		t.Fatalf("page %d is not a branch page (flags %#x): the test needs more secrets", page, flags)
	}
	// The page header is 16 bytes; a branch element is pos, ksize (4
	// bytes each) and the child's page number (8).
	writeAt(t, path, off+16+8, binary.LittleEndian.AppendUint64(nil, 1<<30))
}

// wantCorrupt fails t unless err is ErrCorrupt naming path and saying
// what to do.
func wantCorrupt(t *testing.T, err error, path string) {
	t.Helper()
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "backup") {
		t.Fatalf("err = %v, want ErrCorrupt naming %s and what to do", err, path)
	}
}

// TestOpenRefusesDamagedFile: a damaged database file is refused at Open
// with ErrCorrupt, naming the file and what to do — never a panic, a
// crash reading outside the memory map, or a start that fails later — and
// Open writes nothing to it.
func TestOpenRefusesDamagedFile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"two pages of garbage over the secrets", func(t *testing.T, path string) {
			secrets := secretsPage(t, path)
			writeAt(t, path, secrets*int64(pageSize), garbage(2*pageSize))
		}},
		{"a page number pointing past the file", func(t *testing.T, path string) {
			secrets := secretsPage(t, path)
			wildPageRef(t, path, secrets)
		}},
		{"garbage over the free list", func(t *testing.T, path string) {
			writeAt(t, path, freelistPage(t, path)*int64(pageSize), garbage(pageSize))
		}},
		{"both meta pages", func(t *testing.T, path string) {
			writeAt(t, path, 0, garbage(2*pageSize))
		}},
		{"cut to half its size", func(t *testing.T, path string) {
			if err := os.Truncate(path, fileSize(t, path)/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"cut to less than its meta pages", func(t *testing.T, path string) {
			if err := os.Truncate(path, int64(pageSize)+100); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filledStore(t, dir, 1000)
			tc.damage(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}

			s, err := Open(dir, testOptions(testMasterKey))
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			wantCorrupt(t, err, path)
			t.Logf("Open: %v", err)
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("Open wrote to the damaged file")
			}
		})
	}
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestDamageAtRunTimeIsAnError: a page damaged while the store is open
// (the file is mapped shared, so a write to it shows at once) makes reads
// and writes fail with ErrCorrupt, not panic. After a write panicked
// inside bbolt, its lock may be held (its rollback can panic too, on a
// damaged free list): later writes and Close return the error at once
// instead of waiting forever.
func TestDamageAtRunTimeIsAnError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, path string, secrets int64)
	}{
		{"garbage over the secrets", func(t *testing.T, path string, secrets int64) {
			writeAt(t, path, secrets*int64(pageSize), garbage(pageSize))
		}},
		{"a page number pointing past the file", func(t *testing.T, path string, secrets int64) {
			wildPageRef(t, path, secrets)
		}},
		{"garbage over the secrets and the free list", func(t *testing.T, path string, secrets int64) {
			writeAt(t, path, secrets*int64(pageSize), garbage(pageSize))
			writeAt(t, path, freelistPage(t, path)*int64(pageSize), garbage(pageSize))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filledStore(t, dir, 1000)
			secrets := secretsPage(t, path)
			s, err := Open(dir, testOptions(testMasterKey))
			if err != nil {
				t.Fatal(err)
			}
			tc.damage(t, path, secrets)

			_, err = s.Secret("key-00000") // under the first child of the root
			wantCorrupt(t, err, path)
			t.Logf("Secret: %v", err)
			_, err = s.SecretIDs()
			wantCorrupt(t, err, path)
			wantCorrupt(t, s.PutSecret("key-00000", []byte("sk-new")), path)
			wantCorrupt(t, s.SaveSnapshot(2, []byte("state")), path) // refused without calling bbolt
			if _, _, err := s.LatestSnapshot(); err != nil {
				t.Errorf("LatestSnapshot, on pages left whole: %v", err)
			}
			wantCorrupt(t, s.Close(), path)
		})
	}
}

// freelistPage returns the page of the store's free list at path.
func freelistPage(t testing.TB, path string) int64 {
	t.Helper()
	const freelistFlag = 0x10
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := int64(-1)
	var txid uint64
	for _, meta := range []int{0, 1} { // the meta page with the higher txid is in force
		m := b[meta*pageSize+16:]
		if id := binary.LittleEndian.Uint64(m[48:]); page < 0 || id > txid {
			page, txid = int64(binary.LittleEndian.Uint64(m[32:])), id
		}
	}
	if flags := binary.LittleEndian.Uint16(b[page*int64(pageSize)+8:]); flags != freelistFlag {
		t.Fatalf("page %d is not the free list (flags %#x)", page, flags)
	}
	return page
}
