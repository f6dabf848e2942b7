package wal

import (
	"fmt"
	"path/filepath"
	"sync"
	"time"
)

// flusher is SyncBatch's group commit: a goroutine that fsyncs the current
// segment whenever records are unsynced, at most once per
// [Options.SyncInterval], and wakes the callers of [Log.WaitDurable] whose
// records the fsync covered. Appends never wait for it: it reads the
// segment and the last sequence number under the log's lock, then fsyncs
// without it.
//
// Lock order: Log.mu, then flusher.mu.
type flusher struct {
	l        *Log
	interval time.Duration
	kickc    chan struct{} // capacity 1: records are unsynced
	stopc    chan struct{} // closed by stop
	done     chan struct{} // closed when run returns

	mu      sync.Mutex
	cond    sync.Cond // broadcast when durable or err changes
	durable uint64    // every record up to it is fsync'd
	err     error     // why records above durable will not be; nil while syncing
}

// newFlusher starts the flusher of l. The records already in the log may
// be in the page cache only, so its first fsync starts at once.
func newFlusher(l *Log) *flusher {
	f := &flusher{
		l:        l,
		interval: l.opts.SyncInterval,
		kickc:    make(chan struct{}, 1),
		stopc:    make(chan struct{}),
		done:     make(chan struct{}),
	}
	f.cond.L = &f.mu
	f.kick()
	go f.run()
	return f
}

// kick tells the flusher that records are unsynced. It never blocks.
func (f *flusher) kick() {
	select {
	case f.kickc <- struct{}{}:
	default:
	}
}

// run fsyncs after each kick, waiting out the interval since the previous
// fsync started, until stop.
func (f *flusher) run() {
	defer close(f.done)
	var (
		started time.Time
		pause   = time.NewTimer(0)
	)
	defer pause.Stop()
	for {
		select {
		case <-f.kickc:
		case <-f.stopc:
			return
		}
		if wait := f.interval - time.Since(started); wait > 0 {
			pause.Reset(wait)
			select {
			case <-pause.C:
			case <-f.stopc:
				return
			}
		}
		if now := time.Now(); f.sync() {
			started = now
		}
	}
}

// sync fsyncs the current segment, if it holds unsynced records, and
// publishes what the fsync covered. It reports whether it called fsync.
func (f *flusher) sync() bool {
	l := f.l
	l.mu.Lock()
	file, seg, upto := l.f, l.segs[len(l.segs)-1], l.written
	l.mu.Unlock()
	f.mu.Lock()
	done := upto <= f.durable || f.err != nil
	f.mu.Unlock()
	if done {
		return false
	}

	if err := file.Sync(); err != nil {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.segs[len(l.segs)-1] != seg {
			// Rolled meanwhile (and maybe closed): the roll fsync'd the
			// segment, or a snapshot covers it (a repairing Rotate).
			return true
		}
		if l.broken == nil {
			l.broken = fmt.Errorf("sync %s: %w", filepath.Base(seg.path), err)
		}
		// Under l.mu, so that a repairing Rotate cannot come in between.
		f.fail(fmt.Errorf("%w: %w", ErrBroken, l.broken))
		return true
	}
	f.advance(upto)
	return true
}

// advance records that every record up to seq is durable. After a failed
// fsync it does nothing: a later fsync does not bring back what the
// failed one lost.
func (f *flusher) advance(seq uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil && seq > f.durable {
		f.durable = seq
		f.cond.Broadcast()
	}
}

// fail makes the waiters for records above durable return err.
func (f *flusher) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = err
		f.cond.Broadcast()
	}
}

// reset clears a failure and records that a snapshot covers every record
// up to seq; [Log.Rotate] calls it with l.mu held.
func (f *flusher) reset(seq uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = nil
	f.durable = max(f.durable, seq)
	f.cond.Broadcast()
}

// wait blocks until every record up to seq is durable, or cannot become so.
func (f *flusher) wait(seq uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.durable < seq && f.err == nil {
		f.cond.Wait()
	}
	if f.durable >= seq {
		return nil
	}
	return f.err
}

// stop ends run, after the fsync in flight if any.
func (f *flusher) stop() {
	close(f.stopc)
	<-f.done
}

// WaitDurable blocks until record seq, and every record before it, is as
// durable as [Options.Sync] promises: under SyncBatch, until an fsync that
// started after seq was appended has completed; under SyncNone and
// SyncAlways it returns at once, since Append already did what the policy
// asks. It returns nil for a record a snapshot covers ([Log.Rotate]).
//
// It fails with [ErrOutOfOrder] for a record not yet appended, with an
// error wrapping [ErrBroken] when the fsync failed (the record may be
// lost on a power loss: treat it as not journaled), and with [ErrClosed]
// when the log was closed before the record could be made durable.
//
// Call it after releasing the lock under which the record was appended,
// so that concurrent callers share fsyncs.
func (l *Log) WaitDurable(seq uint64) error {
	if err := l.write("wait durable", seq); err != nil {
		return err
	}
	if l.flusher == nil {
		return nil
	}
	if err := l.flusher.wait(seq); err != nil {
		return fmt.Errorf("wal: wait durable %d: %w", seq, err)
	}
	return nil
}
