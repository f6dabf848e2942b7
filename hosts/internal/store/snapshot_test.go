package store

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestSnapshot(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if _, _, err := s.LatestSnapshot(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LatestSnapshot of a new store: err = %v, want ErrNotFound", err)
	}
	if err := s.SaveSnapshot(6, []byte("state@6")); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSnapshot(5, []byte("older")); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("SaveSnapshot(5) after 6: err = %v, want ErrOutOfOrder", err)
	}
	if err := s.SaveSnapshot(20, []byte("state@20")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTest(t, dir)

	seq, data, err := s.LatestSnapshot()
	if err != nil || seq != 20 || string(data) != "state@20" {
		t.Fatalf("LatestSnapshot after reopening = %d, %q, %v; want 20, state@20", seq, data, err)
	}
	if err := s.SaveSnapshot(20, []byte("state@20 again")); err != nil {
		t.Errorf("SaveSnapshot at the same sequence: %v", err)
	}
	if err := s.SaveSnapshot(21, nil); err != nil {
		t.Fatal(err)
	}
	seq, data, err = s.LatestSnapshot()
	if err != nil || seq != 21 || data == nil || len(data) != 0 {
		t.Errorf("LatestSnapshot of an empty snapshot = %d, %q (nil %t), %v; want 21, empty", seq, data, data == nil, err)
	}
}

// TestConcurrentSnapshots races snapshots: whatever their order, the
// latest one kept is the highest, whole.
func TestConcurrentSnapshots(t *testing.T) {
	s := openTest(t, t.TempDir())
	var wg sync.WaitGroup
	for seq := uint64(1); seq <= 32; seq++ {
		wg.Go(func() {
			err := s.SaveSnapshot(seq, fmt.Appendf(nil, "state@%d", seq))
			if err != nil && !errors.Is(err, ErrOutOfOrder) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	seq, data, err := s.LatestSnapshot()
	if err != nil || seq != 32 || string(data) != "state@32" {
		t.Errorf("LatestSnapshot = %d, %q, %v; want 32, state@32", seq, data, err)
	}
}

// A snapshot damaged on disk is refused, not restored as state; one a
// store wrote before snapshots were summed still loads.
func TestSnapshotChecksum(t *testing.T) {
	s := openTest(t, t.TempDir())
	data := []byte("\x82\xa1v\x01\xa5spend\xcd\x01\x00")
	if err := s.SaveSnapshot(7, data); err != nil {
		t.Fatal(err)
	}
	damage := func(fn func(b *bolt.Bucket) error) {
		t.Helper()
		if err := s.update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucketSnapshot)) }); err != nil {
			t.Fatal(err)
		}
	}
	damage(func(b *bolt.Bucket) error {
		v := append([]byte{}, b.Get(keySnapData)...)
		v[len(v)-1] ^= 1
		return b.Put(keySnapData, v)
	})
	if _, _, err := s.LatestSnapshot(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a damaged snapshot: %v, want ErrCorrupt", err)
	}
	damage(func(b *bolt.Bucket) error {
		if err := b.Put(keySnapData, data); err != nil {
			return err
		}
		return b.Delete(keySnapSum) // as a store written before the sum
	})
	if seq, got, err := s.LatestSnapshot(); err != nil || seq != 7 || !bytes.Equal(got, data) {
		t.Fatalf("an unsummed snapshot: %d %q %v", seq, got, err)
	}
}
