package store

import (
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Group commit. One goroutine owns every journal and snapshot write. Callers
// queue work under a mutex, in the order they call, and wait; the goroutine
// commits everything queued while the previous commit ran in one bbolt
// transaction, so one fsync makes many entries durable. A lone writer pays
// one fsync per entry, as without batching; no timer delays anything.

// result is the outcome of one commit, shared by everything it carried.
type result struct {
	done chan struct{} // closed once err is set
	err  error
}

func newResult() *result { return &result{done: make(chan struct{})} }

func (r *result) finish(err error) { r.err = err; close(r.done) }

func (r *result) wait() error { <-r.done; return r.err }

// failed returns a wait function that reports err at once.
func failed(err error) func() error { return func() error { return err } }

// pendingSnapshot is a snapshot waiting to be committed.
type pendingSnapshot struct {
	seq  uint64
	data []byte
	res  []*result // its caller's, and those of the snapshots it superseded
}

// writer is the group-commit queue and the goroutine that drains it.
type writer struct {
	db     *bolt.DB
	kick   chan struct{} // capacity 1: work is queued, or closing
	exited chan struct{} // closed when run returns

	mu        sync.Mutex
	entries   []Entry          // queued, in sequence order
	entryRes  *result          // shared by the queued entries
	snap      *pendingSnapshot // latest queued snapshot
	lastSeq   uint64           // highest sequence number accepted
	snapSeq   uint64           // highest snapshot sequence number accepted
	broken    error            // first failed journal commit, until repaired
	brokenSeq uint64           // highest sequence number lost since then
	closed    bool
}

func newWriter(db *bolt.DB, lastSeq, snapSeq uint64) *writer {
	w := &writer{
		db:      db,
		kick:    make(chan struct{}, 1),
		exited:  make(chan struct{}),
		lastSeq: lastSeq,
		snapSeq: snapSeq,
	}
	go w.run()
	return w
}

// Enqueue queues entries for the journal and returns at once; wait blocks
// until they are durable (committed and, unless [Options.NoSync], fsync'd)
// and returns the commit's error. Entries are written in the order Enqueue
// is called, so the proxy calls it under the lock that orders the core's
// inputs and waits after releasing it: many requests then share one fsync.
// The call is atomic: all of entries are queued, or none is.
//
// Each Seq must be greater than every one accepted before (entries and
// snapshots), else wait reports [ErrOutOfOrder]. The store keeps each Data
// until wait returns; the caller must not modify it before then.
//
// When a commit fails, the entries it carried report its error, and every
// entry after them [ErrJournalBroken], since writing them would leave a gap
// on disk behind the core's state. The proxy should then refuse mutating
// requests (report not ready) and save a snapshot of the core's current
// state with [Store.SaveSnapshot]; once a snapshot covering every lost
// entry commits, the journal accepts entries again.
func (s *Store) Enqueue(entries ...Entry) (wait func() error) {
	w := s.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return failed(fmt.Errorf("store: journal: %w", ErrClosed))
	}
	last := w.lastSeq
	for _, e := range entries {
		if e.Seq <= last {
			return failed(fmt.Errorf("store: journal: %w: entry %d after %d", ErrOutOfOrder, e.Seq, last))
		}
		last = e.Seq
	}
	w.lastSeq = last
	if len(entries) == 0 {
		return failed(nil)
	}
	if w.broken != nil {
		w.brokenSeq = max(w.brokenSeq, last)
		return failed(fmt.Errorf("store: journal: entries up to %d: %w: %w", last, ErrJournalBroken, w.broken))
	}
	if w.entryRes == nil {
		w.entryRes = newResult()
	}
	w.entries = append(w.entries, entries...)
	res := w.entryRes
	w.signal()
	return res.wait
}

// Append writes entries to the journal and returns once they are durable:
// [Store.Enqueue] followed by its wait.
func (s *Store) Append(entries ...Entry) error {
	return s.Enqueue(entries...)()
}

// SaveSnapshot stores data as the core's state after the input with
// sequence number seq, and deletes the journal entries up to seq, in one
// transaction, ordered after every entry enqueued before it. It returns
// once the snapshot is durable. seq must not be lower than the latest
// snapshot's ([ErrOutOfOrder]); it may be higher than the last entry's,
// and later entries must then follow it. A snapshot that covers every
// entry lost to a failed commit repairs the journal (see [Store.Enqueue]).
func (s *Store) SaveSnapshot(seq uint64, data []byte) error {
	w := s.w
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return fmt.Errorf("store: save snapshot: %w", ErrClosed)
	}
	if seq < w.snapSeq {
		w.mu.Unlock()
		return fmt.Errorf("store: save snapshot: %w: snapshot %d after %d", ErrOutOfOrder, seq, w.snapSeq)
	}
	w.snapSeq, w.lastSeq = seq, max(w.lastSeq, seq)
	res := newResult()
	snap := &pendingSnapshot{seq: seq, data: data, res: []*result{res}}
	if w.snap != nil {
		snap.res = append(snap.res, w.snap.res...)
	}
	w.snap = snap
	w.signal()
	w.mu.Unlock()

	if err := res.wait(); err != nil {
		return fmt.Errorf("store: save snapshot %d: %w", seq, err)
	}
	return nil
}

// signal wakes run; w.mu is held.
func (w *writer) signal() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// run commits queued work until the writer is closed and drained.
func (w *writer) run() {
	defer close(w.exited)
	for range w.kick {
		w.mu.Lock()
		entries, entryRes, snap, closed := w.entries, w.entryRes, w.snap, w.closed
		w.entries, w.entryRes, w.snap = nil, nil, nil
		if w.broken != nil && entryRes != nil {
			// Queued before the failure was known: they would follow a gap.
			w.brokenSeq = max(w.brokenSeq, entries[len(entries)-1].Seq)
			entryRes.finish(fmt.Errorf("store: journal: %w: %w", ErrJournalBroken, w.broken))
			entries, entryRes = nil, nil
		}
		w.mu.Unlock()

		if entryRes != nil || snap != nil {
			w.commit(entries, entryRes, snap)
		}
		if closed {
			return
		}
	}
}

// commit writes entries and snap in one transaction and reports the outcome
// to their waiters.
func (w *writer) commit(entries []Entry, entryRes *result, snap *pendingSnapshot) {
	err := storageErr(w.db.Update(func(tx *bolt.Tx) error {
		var floor uint64
		if snap != nil {
			floor = snap.seq
		}
		if err := putEntries(tx, entries, floor); err != nil {
			return err
		}
		if snap != nil {
			return putSnapshot(tx, snap.seq, snap.data)
		}
		return nil
	}))

	w.mu.Lock()
	switch {
	case err != nil && entryRes != nil:
		if w.broken == nil {
			w.broken = err
		}
		w.brokenSeq = max(w.brokenSeq, entries[len(entries)-1].Seq)
	case err == nil && snap != nil && w.broken != nil && snap.seq >= w.brokenSeq:
		w.broken = nil // the snapshot covers every lost entry
	}
	w.mu.Unlock()

	if err != nil {
		err = fmt.Errorf("store: commit journal: %w", err)
	}
	if entryRes != nil {
		entryRes.finish(err)
	}
	if snap != nil {
		for _, r := range snap.res {
			r.finish(err)
		}
	}
}

// close stops accepting work, commits what is queued and waits for run to
// return. It reports false if the writer was already closed.
func (w *writer) close() bool {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return false
	}
	w.closed = true
	w.signal()
	w.mu.Unlock()
	<-w.exited
	return true
}
