package store

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"

	bolt "go.etcd.io/bbolt"
)

// SaveSnapshot stores data as the core's state after the input with
// sequence number seq, replacing the previous snapshot in one transaction,
// and returns once it is committed (and fsync'd, unless [Options.NoSync]).
// seq must not be lower than the latest snapshot's, else SaveSnapshot
// fails with [ErrOutOfOrder] and keeps the newer one; an equal seq
// replaces it. The journal of inputs after it lives in package wal: once
// SaveSnapshot returns, the proxy rotates the journal past seq. The data
// is stored with its CRC-32C: bbolt checks its pages' structure, not their
// contents, and a snapshot damaged on disk must not be restored as state.
func (s *Store) SaveSnapshot(seq uint64, data []byte) error {
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSnapshot)
		if k := b.Get(keySnapSeq); len(k) == 8 && binary.BigEndian.Uint64(k) > seq {
			return fmt.Errorf("%w: the latest snapshot is at %d", ErrOutOfOrder, binary.BigEndian.Uint64(k))
		}
		if err := b.Put(keySnapSeq, binary.BigEndian.AppendUint64(nil, seq)); err != nil {
			return err
		}
		if err := b.Put(keySnapSum, binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, castagnoli))); err != nil {
			return err
		}
		return b.Put(keySnapData, data)
	})
	if err != nil {
		return fmt.Errorf("store: save snapshot %d: %w", seq, err)
	}
	return nil
}

// LatestSnapshot returns the most recent snapshot and the sequence number
// it covers, or [ErrNotFound] if none was saved: recovery then replays the
// whole journal (after = 0).
func (s *Store) LatestSnapshot() (seq uint64, data []byte, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSnapshot)
		k := b.Get(keySnapSeq)
		if k == nil {
			return ErrNotFound
		}
		v, ok := lookup(b, keySnapData)
		if len(k) != 8 || !ok {
			return fmt.Errorf("%w: snapshot record", ErrCorrupt)
		}
		if sum := b.Get(keySnapSum); sum != nil && (len(sum) != 4 || binary.BigEndian.Uint32(sum) != crc32.Checksum(v, castagnoli)) {
			return fmt.Errorf("%w: %s: the snapshot's checksum does not match its data", ErrCorrupt, s.path)
		}
		seq, data = binary.BigEndian.Uint64(k), append([]byte{}, v...)
		return nil
	})
	if err != nil {
		return 0, nil, fmt.Errorf("store: latest snapshot: %w", err)
	}
	return seq, data, nil
}

// castagnoli is the CRC-32C table snapshots are summed with.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)
