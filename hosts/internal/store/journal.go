package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"
)

// replayChunk is how many entries Replay copies out of one read transaction
// before calling fn, so fn never runs inside a transaction.
const replayChunk = 256

// Entry is one journaled input of the core.
type Entry struct {
	// Seq is the entry's sequence number, assigned by the proxy in the
	// order it feeds inputs to the core. Every Seq is greater than the one
	// before it.
	Seq uint64
	// Data is the encoded input.
	Data []byte
}

// seqKey encodes seq big-endian, so bbolt's byte order is numeric order.
func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// Replay calls fn, in sequence order, for every journal entry with a
// sequence number greater than after; on recovery, after is the sequence of
// [Store.LatestSnapshot]. It stops at and returns fn's first error. data is
// a copy the caller may keep. Only what is committed is replayed: call it
// before enqueueing new entries.
func (s *Store) Replay(after uint64, fn func(seq uint64, data []byte) error) error {
	for after < math.MaxUint64 {
		var chunk []Entry
		err := s.view(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketJournal).Cursor()
			for k, v := c.Seek(seqKey(after + 1)); k != nil && len(chunk) < replayChunk; k, v = c.Next() {
				if len(k) != 8 {
					return fmt.Errorf("%w: journal key of %d bytes", ErrCorrupt, len(k))
				}
				chunk = append(chunk, Entry{Seq: binary.BigEndian.Uint64(k), Data: bytes.Clone(v)})
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: replay: %w", err)
		}
		for _, e := range chunk {
			if err := fn(e.Seq, e.Data); err != nil {
				return err
			}
		}
		if len(chunk) < replayChunk {
			return nil
		}
		after = chunk[len(chunk)-1].Seq
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
		seq, data = binary.BigEndian.Uint64(k), append([]byte{}, v...)
		return nil
	})
	if err != nil {
		return 0, nil, fmt.Errorf("store: latest snapshot: %w", err)
	}
	return seq, data, nil
}

// journalTail returns the highest sequence number the store has accepted,
// counting the snapshot's, and the snapshot's.
func journalTail(tx *bolt.Tx) (last, snap uint64) {
	if k := tx.Bucket(bucketSnapshot).Get(keySnapSeq); len(k) == 8 {
		snap = binary.BigEndian.Uint64(k)
	}
	last = snap
	if k, _ := tx.Bucket(bucketJournal).Cursor().Last(); len(k) == 8 {
		last = max(last, binary.BigEndian.Uint64(k))
	}
	return last, snap
}

// putEntries writes entries to the journal, skipping those that the
// snapshot at or above floor already covers.
func putEntries(tx *bolt.Tx, entries []Entry, floor uint64) error {
	b := tx.Bucket(bucketJournal)
	b.FillPercent = 0.9 // appends at the end: pack pages fuller than the default 0.5
	for _, e := range entries {
		if e.Seq <= floor {
			continue
		}
		if err := b.Put(seqKey(e.Seq), e.Data); err != nil {
			return fmt.Errorf("journal entry %d: %w", e.Seq, err)
		}
	}
	return nil
}

// putSnapshot stores the snapshot at seq and deletes the journal entries it
// covers.
func putSnapshot(tx *bolt.Tx, seq uint64, data []byte) error {
	b := tx.Bucket(bucketSnapshot)
	if err := b.Put(keySnapSeq, seqKey(seq)); err != nil {
		return err
	}
	if err := b.Put(keySnapData, data); err != nil {
		return err
	}
	c := tx.Bucket(bucketJournal).Cursor()
	// Re-seek after each delete: bbolt's Next after Delete can skip a key.
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= seq; k, _ = c.First() {
		if err := c.Delete(); err != nil {
			return fmt.Errorf("trim journal: %w", err)
		}
	}
	return nil
}
