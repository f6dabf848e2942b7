// Package wal is the proxy's journal: a segmented, append-only
// write-ahead log of the core's mutating inputs (encoded apply events and
// non-dry-run route requests), numbered 1, 2, 3, … in the order the core
// consumed them. After a crash the proxy restores the core's latest
// snapshot (kept in package store) and replays the records after it, so no
// budget spend, cooldown or key is lost and nothing is charged twice.
//
// A record costs one write(2) (about a microsecond) instead of a database
// transaction. Process crashes (kill -9, a panic) do not lose the kernel's
// page cache, so a written record survives them without fsync; fsync is
// only for power loss and operating system crashes, and [Options.Sync]
// chooses when to pay for it:
//
//   - [SyncNone] (default): Append returns after the write. Survives process
//     crashes; a power loss may lose recent records.
//   - [SyncAlways]: Append returns after the write and an fsync. Survives
//     power loss; one fsync per record.
//   - [SyncBatch]: Append returns after the write; [Log.WaitDurable] blocks
//     until a background fsync covers the record (group commit: concurrent
//     waiters share one fsync, started at most once per
//     [Options.SyncInterval]).
//
// # Usage
//
// Recover: restore the snapshot, open the log and replay the records
// after the snapshot:
//
//	snapSeq, state, err := st.LatestSnapshot() // package store
//	switch {
//	case err == nil:
//		core.Restore(state)
//	case !errors.Is(err, store.ErrNotFound):
//		return err
//	}
//	journal, err := wal.Open(filepath.Join(dataDir, "journal"), wal.Options{Sync: wal.SyncBatch})
//	if err != nil {
//		return err // ErrCorrupt, ErrLocked …
//	}
//	defer journal.Close()
//	err = journal.Replay(snapSeq, func(seq uint64, input []byte) error {
//		return core.Apply(input)
//	})
//	if err != nil {
//		return err
//	}
//	if snapSeq > journal.Last() { // the snapshot holds inputs the log lacks
//		if err := journal.Rotate(snapSeq); err != nil {
//			return err
//		}
//	}
//	seq := journal.Last()
//
// Journal each input before the core consumes it, under the lock that
// orders the core's inputs, and wait for durability after releasing it, so
// that concurrent requests share one fsync. Act on the core's output (call
// the provider, answer the client) only once the record is durable:
//
//	mu.Lock()
//	if err := journal.Append(seq+1, input); err != nil {
//		mu.Unlock()
//		return err // ErrBroken: stop taking inputs; a snapshot and Rotate repair the log
//	}
//	seq++
//	mine, out := seq, core.Apply(input)
//	mu.Unlock()
//	if err := journal.WaitDurable(mine); err != nil {
//		return err
//	}
//
// A record that only matters if a later one is written (the proxy's route
// requests: an attempt no outcome follows changes nothing a client saw) can
// be deferred with [Log.Defer]: it is kept in memory and written in the
// same write(2) as the next appended record, which saves a system call
// per request. A crash loses deferred records, and only records after
// them: what survives is always a prefix of the inputs.
//
// Snapshot now and then, then let the log drop what the snapshot covers:
//
//	mu.Lock()
//	snapSeq, state := seq, core.Snapshot()
//	mu.Unlock()
//	if err := st.SaveSnapshot(snapSeq, state); err != nil {
//		return err
//	}
//	err = journal.Rotate(snapSeq)
//
// # File format
//
// The log is a directory (mode 0700) of segment files (mode 0600) named
// journal-<first>.wal, where <first> is the sequence number of the
// segment's first record in 20 decimal digits, so that names sort in log
// order, and a LOCK file that [Open] flocks. All integers are
// little-endian. A segment starts with a 16-byte header:
//
//	offset  size  field
//	0       6     magic "AKRWAL"
//	6       2     format version, 1
//	8       8     sequence number of the first record (as in the name)
//
// followed by records, each a 16-byte header and the data:
//
//	offset  size  field
//	0       4     CRC-32C (Castagnoli) of bytes 4 … 16+length
//	4       4     length of the data in bytes
//	8       8     sequence number: the previous record's plus one
//	16      len   data
//
// The checksum covers the length, the sequence number and the data.
// Segments follow one another without a gap: each starts at the sequence
// number after the previous one's last record. A segment file is created
// as journal-<first>.wal.tmp holding just the header and renamed into
// place, so a segment always has a whole header.
//
// # Recovery
//
// [Open] reads every record. The end of the last segment may hold the
// torn write of a crash (a record cut short, or whose checksum fails):
// when no valid record follows it, Open truncates it and reports the bytes
// it dropped ([Log.Truncated]). A last segment whose header is cut short
// or zeros is torn the same way when no valid record follows where the
// header was: Open writes the header again. A bad record in an older
// segment, or a bad record or header that a valid record follows, is
// [ErrCorrupt]: the log is never repaired by skipping records. [Log.Rotate] documents why a crash in the middle of
// a rotation is safe.
//
// # Notes
//
// A failed write or fsync breaks the log ([ErrBroken]) instead of letting
// a later record follow a missing one. A snapshot that covers every record
// and [Log.Rotate] repair it, as does reopening the log.
//
// SyncAlways and SyncBatch fsync a segment before starting the next one,
// so a power loss can only cut the unsynced end of the last segment, which
// Open truncates like a torn write (zeros or stale blocks included). Under
// SyncNone a power loss may lose any records not yet written back by the
// kernel, and when it hits a segment that a later one follows, Open
// reports ErrCorrupt: the operator then restores from the snapshot alone,
// or moves the damaged segments away after checking the snapshot covers
// them.
//
// On systems without flock (not Unix), Open does not lock the directory:
// keeping a second process out is the caller's job.
package wal
