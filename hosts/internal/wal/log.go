package wal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Log is a write-ahead log of records numbered 1, 2, 3, … in a directory
// of segment files. Its methods are safe for concurrent use, but the order
// of records is the caller's: [Log.Append] takes exactly [Log.Last]+1, so a
// caller that appends from several goroutines assigns sequence numbers and
// appends under one lock of its own, and waits for durability
// ([Log.WaitDurable]) after releasing it.
type Log struct {
	dir  string
	opts Options
	lock *os.File // holds the directory's flock

	mu        sync.Mutex
	segs      []*segment // oldest first; the last is the one appended to
	f         file       // the last segment, open for appending
	start     uint64     // oldest sequence number Replay can deliver
	last      uint64     // of the last record appended or deferred
	written   uint64     // of the last record written to a segment
	pending   []byte     // records accepted but not yet written, reused
	first     uint64     // the first pending record
	broken    error      // the write or fsync that failed; nil while usable
	closed    bool
	truncated int64  // bytes of torn tail Open removed
	tornSeg   string // the path of the segment they were cut from

	flusher *flusher // SyncBatch only
}

// Open opens the log in dir, creating the directory (mode 0700) and a first
// segment (mode 0600) when there is none. It takes an exclusive lock on the
// directory ([ErrLocked] if another Log holds it), checks every record of
// every segment, and truncates the torn tail a crash may leave at the end
// of the last segment: a record cut short or failing its checksum, or a
// header cut short or zeros, that no valid record follows
// ([Log.Truncated] reports how many bytes, and where). Any other bad
// record or header is [ErrCorrupt]. [Log.Last] is then the last record in
// the log. Close the log with [Log.Close].
func Open(dir string, opts Options) (*Log, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("wal: open: %w", err)
	}
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("wal: open: %w", err)
	}
	if errors.Is(statErr, fs.ErrNotExist) && opts.Sync != SyncNone {
		if err := syncDir(filepath.Dir(filepath.Clean(dir))); err != nil {
			return nil, fmt.Errorf("wal: open: %w", err)
		}
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("wal: open: %w", err)
	}
	l := &Log{dir: dir, opts: opts, lock: lock}
	if err := l.recover(); err != nil {
		lock.Close()
		return nil, fmt.Errorf("wal: open %s: %w", dir, err)
	}
	if opts.Sync == SyncBatch {
		l.flusher = newFlusher(l)
	}
	return l, nil
}

// recover reads the segments in l.dir, truncates a torn tail and opens the
// last segment for appending.
func (l *Log) recover() error {
	segs, err := scanDir(l.dir)
	if err != nil {
		return err
	}
	if len(segs) == 0 {
		seg, f, err := createSegment(l.dir, 1, l.syncs())
		if err != nil {
			return err
		}
		l.segs, l.f = []*segment{seg}, f
		l.updateStart()
		return nil
	}
	for i, seg := range segs {
		torn, err := scanSegment(seg, i == len(segs)-1)
		if err != nil {
			return err
		}
		if torn > 0 {
			l.truncated, l.tornSeg = torn, seg.path
		}
		if i > 0 && seg.first <= segs[i-1].last {
			return fmt.Errorf("%w: %s starts at %d, inside %s", ErrCorrupt,
				filepath.Base(seg.path), seg.first, filepath.Base(segs[i-1].path))
		}
	}
	cur := segs[len(segs)-1]
	f, err := os.OpenFile(cur.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if l.truncated > 0 {
		err = f.Truncate(cur.size)
	}
	if err == nil && cur.size == 0 { // the header itself was torn
		err = writeHeader(f, cur.first, l.syncs())
		cur.size = headerSize
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("truncate torn tail of %s: %w", filepath.Base(cur.path), err)
	}
	l.segs, l.f, l.last, l.written = segs, f, cur.last, cur.last
	l.updateStart()
	return nil
}

// updateStart sets l.start to the first sequence number of the contiguous
// segments that end the log. Older segments behind a gap are left by a
// crash in [Log.Rotate] before it deleted them; Replay never reads them.
func (l *Log) updateStart() {
	i := len(l.segs) - 1
	for i > 0 && l.segs[i-1].last+1 == l.segs[i].first {
		i--
	}
	l.start = l.segs[i].first
}

// syncs reports whether the sync policy ever calls fsync.
func (l *Log) syncs() bool { return l.opts.Sync != SyncNone }

// Append writes the record (seq, data) to the log with one write(2) and
// returns once the policy in [Options.Sync] says it is safe: after the
// write (SyncNone, SyncBatch) or after an fsync (SyncAlways). seq must be
// [Log.Last]+1, else Append fails with [ErrOutOfOrder]; data longer than
// [Options.MaxRecordSize] fails with [ErrTooLarge]. Neither writes
// anything. Append copies data; it does not allocate in steady state.
//
// Before writing, Append starts a new segment when the record would take
// the current one past [Options.SegmentSize].
//
// When the write (or SyncAlways' fsync) fails, Append truncates the
// partial record away, returns an error that wraps both [ErrBroken] and
// the cause (e.g. syscall.ENOSPC), and every later Append returns
// ErrBroken: a record after a missing one would be a gap. The failed
// record is not in the log, unless the truncation failed too, in which
// case [Open] may find it whole or drop it as a torn tail: a caller treats
// the failure as "state unknown", stops taking inputs, and repairs the log
// with a snapshot and [Log.Rotate] or by reopening it.
func (l *Log) Append(seq uint64, data []byte) error {
	return l.add("append", seq, data, false)
}

// Defer accepts record seq as Append does but keeps it in memory: the next
// Append writes it (in its one write(2)), as do Rotate, Close, Replay and
// WaitDurable, and Defer itself once maxDeferred bytes wait. It suits a
// record that only matters if a later one is written. A crash loses the
// deferred records, and only records after them: what survives is always
// a prefix of what was appended.
func (l *Log) Defer(seq uint64, data []byte) error {
	return l.add("defer", seq, data, true)
}

// Write writes record seq, and every record deferred before it, if a
// later Append has not: it returns once record seq is as safe as Append
// would have left it (written, and under SyncAlways fsync'd). With
// [Log.Defer] it lets a caller accept a record under its own lock and pay
// for the write after releasing it, so that records accepted meanwhile
// share the write(2). Its errors are WaitDurable's.
func (l *Log) Write(seq uint64) error {
	return l.write("write", seq)
}

func (l *Log) write(op string, seq uint64) error {
	l.mu.Lock()
	last := l.last
	var err error
	if seq > l.written && seq <= last && l.broken == nil && !l.closed {
		err = l.writePending()
	}
	l.mu.Unlock()
	if err != nil {
		return fmt.Errorf("wal: %s %d: %w", op, seq, err)
	}
	if seq > last {
		return fmt.Errorf("wal: %s %d: %w: last appended is %d", op, seq, ErrOutOfOrder, last)
	}
	return nil
}

func (l *Log) add(op string, seq uint64, data []byte, later bool) error {
	if len(data) > l.opts.MaxRecordSize {
		return fmt.Errorf("wal: %s %d: %w: %d bytes, limit %d", op, seq, ErrTooLarge, len(data), l.opts.MaxRecordSize)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return fmt.Errorf("wal: %s %d: %w", op, seq, ErrClosed)
	case l.broken != nil:
		return fmt.Errorf("wal: %s %d: %w: %w", op, seq, ErrBroken, l.broken)
	case seq != l.last+1:
		return fmt.Errorf("wal: %s %d: %w: last is %d", op, seq, ErrOutOfOrder, l.last)
	}
	if len(l.pending) == 0 {
		l.first = seq
	}
	l.pending = appendRecord(l.pending, seq, data)
	l.last = seq
	if later && len(l.pending) < maxDeferred {
		return nil
	}
	if err := l.writePending(); err != nil {
		return fmt.Errorf("wal: %s %d: %w", op, seq, err)
	}
	return nil
}

// writePending writes the records accepted but not written, in one
// write(2), first rolling to a new segment if they would overflow the
// current one. On failure they are not in the log: Last goes back to the
// last record written. l.mu is held.
func (l *Log) writePending() error {
	if len(l.pending) == 0 {
		return nil
	}
	n := int64(len(l.pending))
	if cur := l.segs[len(l.segs)-1]; !cur.empty() && cur.size+n > l.opts.SegmentSize {
		if err := l.roll(l.first); err != nil {
			l.broken, l.pending, l.last = err, l.pending[:0], l.written
			return fmt.Errorf("%w: %w", ErrBroken, err)
		}
	}
	cur := l.segs[len(l.segs)-1]
	_, err := l.f.Write(l.pending)
	if err == nil && l.opts.Sync == SyncAlways {
		err = l.f.Sync()
	}
	l.pending = l.pending[:0]
	if cap(l.pending) > maxKeptBuf {
		l.pending = nil
	}
	if err != nil {
		l.broken = fmt.Errorf("write records %d to %d to %s: %w", l.first, l.last, filepath.Base(cur.path), err)
		if terr := l.f.Truncate(cur.size); terr != nil {
			l.broken = fmt.Errorf("%w; truncating it: %w", l.broken, terr)
		}
		l.last = l.written
		return fmt.Errorf("%w: %w", ErrBroken, l.broken)
	}
	cur.size += n
	cur.last, l.written = l.last, l.last
	if l.flusher != nil {
		l.flusher.kick()
	}
	return nil
}

// roll makes the segment starting at first the one appended to. Unless
// SyncNone, the current segment is fsync'd first, so that only the last
// segment can ever hold a torn record, even after a power loss, and a
// segment whose deletion a power loss undoes is whole. l.mu is held.
func (l *Log) roll(first uint64) error {
	old := l.segs[len(l.segs)-1]
	if l.syncs() {
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", filepath.Base(old.path), err)
		}
		if l.flusher != nil {
			l.flusher.advance(old.last)
		}
	}
	seg, f, err := createSegment(l.dir, first, l.syncs())
	if err != nil {
		return err
	}
	// The old file's records were written, and fsync'd unless SyncNone;
	// closing a local file reports nothing more, so its error is moot.
	l.f.Close()
	l.segs, l.f = append(l.segs, seg), f
	return nil
}

// Last returns the sequence number of the last record in the log: the
// last one appended, or found by [Open] (0 for a new log), or the
// snapshot's of a [Log.Rotate] past it. The next [Log.Append] takes Last+1.
func (l *Log) Last() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// Truncated returns how many bytes of torn tail [Open] removed from the
// last segment, and that segment's path: 0 and "" after a clean shutdown,
// usually one partial record after a crash in the middle of a write.
func (l *Log) Truncated() (n int64, segment string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.truncated, l.tornSeg
}

// Close makes appended records durable under SyncBatch (one last fsync;
// [Log.WaitDurable] then returns nil for them, or the fsync's error),
// closes the segment and releases the directory lock. Every later call,
// Close included, returns [ErrClosed].
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return fmt.Errorf("wal: close: %w", ErrClosed)
	}
	werr := l.writePending()
	l.closed = true
	l.mu.Unlock()
	if l.flusher != nil {
		l.flusher.stop()
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	if l.flusher != nil {
		if err = l.f.Sync(); err == nil {
			l.flusher.advance(l.last)
		}
		l.flusher.fail(ErrClosed)
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if cerr := l.lock.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = werr
	}
	l.pending = nil
	if err != nil {
		return fmt.Errorf("wal: close: %w", err)
	}
	return nil
}
