package wal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Rotate is called once the caller has durably stored a snapshot of its
// state after record snapshotSeq. It starts a new segment, so that the
// records after the snapshot begin a file of their own, and deletes the
// segments whose records the snapshot covers (all ≤ snapshotSeq). Appends
// wait while it runs.
//
// The steps, each of which a crash may interrupt, are:
//
//  1. unless SyncNone, fsync the current segment, so that no later
//     segment follows unsynced data (not even a segment whose deletion a
//     power loss undoes);
//  2. write the new segment's header into journal-….wal.tmp, fsync it
//     (unless SyncNone) and rename it into place, then fsync the directory
//     (unless SyncNone); [Open] deletes a leftover .tmp file;
//  3. delete the covered segments, oldest first, so the remaining ones
//     always end the log without a gap.
//
// Interrupted anywhere, the log reopens with every record after
// snapshotSeq that it held, and maybe records at or before it, which
// Replay(snapshotSeq, …) skips. Interrupted before step 2's rename, a
// Rotate past [Log.Last] leaves Last below snapshotSeq: the caller rotates
// again after recovery (see the package's Usage).
//
// snapshotSeq may be below [Log.Last]: records appended since the
// snapshot was taken stay. It may also be above it, when the snapshot
// holds inputs the log lacks (after a failed append, or with a log that
// was lost): the new segment then starts at snapshotSeq+1, [Log.Last]
// becomes snapshotSeq, and every older segment is deleted. A Rotate whose
// snapshotSeq is at least Last repairs a broken log (see [ErrBroken]);
// one below it returns ErrBroken. Repairing truncates what the failed
// write left and fsyncs the segment as step 1 does; after a failed fsync
// that fsync may fail again, and then only reopening the log repairs it.
func (l *Log) Rotate(snapshotSeq uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return fmt.Errorf("wal: rotate at %d: %w", snapshotSeq, ErrClosed)
	case l.broken != nil && snapshotSeq < l.last:
		return fmt.Errorf("wal: rotate at %d: %w: the snapshot does not cover record %d: %w",
			snapshotSeq, ErrBroken, l.last, l.broken)
	}
	if l.broken == nil {
		if err := l.writePending(); err != nil {
			return fmt.Errorf("wal: rotate at %d: %w", snapshotSeq, err)
		}
	}
	cur := l.segs[len(l.segs)-1]
	if l.broken != nil {
		// A failed write may have left part of a record behind; it must not
		// end up in the middle of the log once the new segment exists.
		if err := l.f.Truncate(cur.size); err != nil {
			return fmt.Errorf("wal: rotate at %d: %w: truncate %s: %w",
				snapshotSeq, ErrBroken, filepath.Base(cur.path), err)
		}
	}
	next := max(l.last, snapshotSeq) + 1
	if !cur.empty() || cur.first != next {
		if err := l.roll(next); err != nil {
			return fmt.Errorf("wal: rotate at %d: %w", snapshotSeq, err)
		}
	}
	l.last, l.written = next-1, next-1
	l.broken = nil
	if l.flusher != nil {
		l.flusher.reset(snapshotSeq)
	}

	for len(l.segs) > 1 && l.segs[0].last <= snapshotSeq {
		if err := os.Remove(l.segs[0].path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			l.updateStart()
			return fmt.Errorf("wal: rotate at %d: delete covered segment: %w", snapshotSeq, err)
		}
		l.segs = l.segs[1:]
	}
	l.updateStart()
	return nil
}
