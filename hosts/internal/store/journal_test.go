package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// replayAll returns the journal after seq.
func replayAll(t *testing.T, s *Store, after uint64) []Entry {
	t.Helper()
	var got []Entry
	err := s.Replay(after, func(seq uint64, data []byte) error {
		got = append(got, Entry{seq, data})
		return nil
	})
	if err != nil {
		t.Fatalf("Replay(%d): %v", after, err)
	}
	return got
}

func seqs(entries []Entry) []uint64 {
	out := make([]uint64, len(entries))
	for i, e := range entries {
		out[i] = e.Seq
	}
	return out
}

func seqRange(from, to uint64) []uint64 {
	var out []uint64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func entryFor(seq uint64) Entry { return Entry{seq, fmt.Appendf(nil, "input %d", seq)} }

func TestAppendReplay(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.Append(entryFor(1), entryFor(2)); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(entryFor(3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(entryFor(7)); err != nil { // gaps are the caller's choice
		t.Fatal(err)
	}
	if err := s.Append(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTest(t, dir)

	for _, tc := range []struct {
		after uint64
		want  []uint64
	}{
		{0, []uint64{1, 2, 3, 7}},
		{2, []uint64{3, 7}},
		{4, []uint64{7}},
		{7, nil},
	} {
		got := replayAll(t, s, tc.after)
		if !slices.Equal(seqs(got), tc.want) {
			t.Errorf("Replay(%d) seqs = %v, want %v", tc.after, seqs(got), tc.want)
		}
		for _, e := range got {
			if !bytes.Equal(e.Data, entryFor(e.Seq).Data) {
				t.Errorf("entry %d data = %q", e.Seq, e.Data)
			}
		}
	}
}

func TestReplayManyEntriesAndStop(t *testing.T) {
	s := openTest(t, t.TempDir())
	const n = 3*replayChunk + 7
	var batch []Entry
	for seq := uint64(1); seq <= n; seq++ {
		batch = append(batch, entryFor(seq))
	}
	if err := s.Append(batch...); err != nil {
		t.Fatal(err)
	}
	if got := seqs(replayAll(t, s, 5)); !slices.Equal(got, seqRange(6, n)) {
		t.Errorf("Replay(5) returned %d entries from %d to %d, want 6…%d", len(got), got[0], got[len(got)-1], n)
	}

	stop := errors.New("stop")
	var calls int
	err := s.Replay(0, func(seq uint64, _ []byte) error {
		calls++
		if seq == replayChunk+1 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != replayChunk+1 {
		t.Errorf("Replay with fn failing at %d: %v after %d calls", replayChunk+1, err, calls)
	}
}

func TestAppendRejectsOutOfOrder(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.Append(entryFor(5)); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, s *Store) {
		t.Helper()
		for _, batch := range [][]Entry{
			{entryFor(5)},
			{entryFor(4)},
			{entryFor(0)},
			{entryFor(6), entryFor(6)},
			{entryFor(8), entryFor(7)},
		} {
			if err := s.Append(batch...); !errors.Is(err, ErrOutOfOrder) {
				t.Errorf("Append%v after 5: err = %v, want ErrOutOfOrder", seqs(batch), err)
			}
		}
		if got := seqs(replayAll(t, s, 0)); !slices.Equal(got, []uint64{5}) {
			t.Errorf("journal = %v after rejected appends, want [5]", got)
		}
	}
	check(t, s)
	s.Close()
	check(t, openTest(t, dir)) // the last sequence number survives a restart
}

func TestSnapshot(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if _, _, err := s.LatestSnapshot(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LatestSnapshot of a new store: err = %v, want ErrNotFound", err)
	}
	for seq := uint64(1); seq <= 10; seq++ {
		if err := s.Append(entryFor(seq)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveSnapshot(6, []byte("state@6")); err != nil {
		t.Fatal(err)
	}
	if got := seqs(replayAll(t, s, 0)); !slices.Equal(got, seqRange(7, 10)) {
		t.Errorf("journal after snapshot 6 = %v, want 7…10", got)
	}
	if err := s.SaveSnapshot(5, []byte("older")); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("SaveSnapshot(5) after 6: err = %v, want ErrOutOfOrder", err)
	}
	// A snapshot may run ahead of the journal; entries then follow it.
	if err := s.SaveSnapshot(20, []byte("state@20")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTest(t, dir)

	seq, data, err := s.LatestSnapshot()
	if err != nil || seq != 20 || string(data) != "state@20" {
		t.Fatalf("LatestSnapshot = %d, %q, %v; want 20, state@20", seq, data, err)
	}
	if got := replayAll(t, s, 0); len(got) != 0 {
		t.Errorf("journal after snapshot 20 = %v, want empty", seqs(got))
	}
	if err := s.Append(entryFor(20)); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("Append(20) after snapshot 20: err = %v, want ErrOutOfOrder", err)
	}
	if err := s.Append(entryFor(21)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSnapshot(20, []byte("state@20 again")); err != nil {
		t.Errorf("SaveSnapshot at the same sequence: %v", err)
	}
	if got := seqs(replayAll(t, s, 20)); !slices.Equal(got, []uint64{21}) {
		t.Errorf("journal = %v, want [21]", got)
	}
}

// TestEnqueueOrdersConcurrentWriters is the proxy's pattern: sequence
// numbers assigned and entries enqueued under one lock, waits outside it.
func TestEnqueueOrdersConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	const writers, perWriter = 16, 50
	var (
		mu  sync.Mutex
		seq uint64
		wg  sync.WaitGroup
	)
	for range writers {
		wg.Go(func() {
			for range perWriter {
				mu.Lock()
				seq++
				e := entryFor(seq)
				wait := s.Enqueue(e)
				snap := seq%100 == 0
				mu.Unlock()
				if err := wait(); err != nil {
					t.Error(err)
					return
				}
				if snap {
					// Snapshots race with each other here; only order matters.
					if err := s.SaveSnapshot(e.Seq, e.Data); err != nil && !errors.Is(err, ErrOutOfOrder) {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	s.Close()
	s = openTest(t, dir)
	snapSeq, _, err := s.LatestSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(replayAll(t, s, 0)); !slices.Equal(got, seqRange(snapSeq+1, writers*perWriter)) {
		t.Errorf("journal after snapshot %d = %v, want %d…%d", snapSeq, got, snapSeq+1, writers*perWriter)
	}
}

func TestCloseCommitsQueuedEntries(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	const n = 200
	waits := make([]func() error, 0, n)
	for seq := uint64(1); seq <= n; seq++ {
		waits = append(waits, s.Enqueue(entryFor(seq)))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for i, wait := range waits {
		if err := wait(); err != nil {
			t.Fatalf("entry %d: %v", i+1, err)
		}
	}
	if err := s.Enqueue(entryFor(n + 1))(); !errors.Is(err, ErrClosed) {
		t.Errorf("Enqueue after Close: err = %v, want ErrClosed", err)
	}
	s = openTest(t, dir)
	if got := seqs(replayAll(t, s, 0)); !slices.Equal(got, seqRange(1, n)) {
		t.Errorf("journal after Close = %d entries, want 1…%d", len(got), n)
	}
}

// TestJournalBrokenUntilSnapshot fills the database up to Options.MaxSize:
// the failed commit must break the journal (no gaps on disk), and a
// snapshot covering the lost entries must repair it.
func TestJournalBrokenUntilSnapshot(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions(testMasterKey)
	opts.MaxSize = 1 << 20
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	big := bytes.Repeat([]byte{'x'}, 64<<10)
	var seq uint64
	for seq = 1; seq <= 100; seq++ {
		err = s.Append(Entry{seq, big})
		if err != nil {
			break
		}
	}
	if !errors.Is(err, ErrUnwritable) {
		t.Fatalf("append %d of 64 KiB into a 1 MiB store: err = %v, want ErrUnwritable", seq, err)
	}
	t.Logf("append %d: %v", seq, err)
	seq++
	if err := s.Append(Entry{seq, []byte("small")}); !errors.Is(err, ErrJournalBroken) {
		t.Fatalf("append after the failure: err = %v, want ErrJournalBroken", err)
	}

	if err := s.SaveSnapshot(seq-1, []byte("does not cover the lost entries")); err != nil {
		t.Fatal(err)
	}
	seq++
	if err := s.Append(Entry{seq, []byte("small")}); !errors.Is(err, ErrJournalBroken) {
		t.Fatalf("append after a snapshot short of the loss: err = %v, want ErrJournalBroken", err)
	}

	if err := s.SaveSnapshot(seq, []byte("state")); err != nil {
		t.Fatal(err)
	}
	seq++
	if err := s.Append(Entry{seq, []byte("small")}); err != nil {
		t.Fatalf("append after a repairing snapshot: %v", err)
	}
	if got := seqs(replayAll(t, s, 0)); !slices.Equal(got, []uint64{seq}) {
		t.Errorf("journal = %v, want [%d]", got, seq)
	}
}

// TestFailedCommitLeavesNoGap queues entries faster than they commit until
// the store is full: however they were batched, the journal on disk must be
// exactly the entries whose wait succeeded, a prefix without gaps.
func TestFailedCommitLeavesNoGap(t *testing.T) {
	opts := testOptions(testMasterKey)
	opts.MaxSize = 1 << 20
	s, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	big := bytes.Repeat([]byte{'x'}, 32<<10)
	const n = 100
	waits := make([]func() error, n)
	for i := range waits {
		waits[i] = s.Enqueue(Entry{uint64(i + 1), big})
	}
	var durable []uint64
	failedAt := -1
	for i, wait := range waits {
		err := wait()
		switch {
		case err == nil && failedAt < 0:
			durable = append(durable, uint64(i+1))
		case err == nil:
			t.Fatalf("entry %d committed after entry %d failed", i+1, failedAt+1)
		case failedAt < 0:
			failedAt = i
		}
	}
	if failedAt < 0 {
		t.Fatal("no commit failed; raise n")
	}
	if got := seqs(replayAll(t, s, 0)); !slices.Equal(got, durable) {
		t.Errorf("journal = %v, want the %d entries reported durable", got, len(durable))
	}
}

// TestEntriesQueuedBehindFailedCommit queues entries while a commit that
// will fail is under way: they must fail too, although they were queued
// before the failure was known.
func TestEntriesQueuedBehindFailedCommit(t *testing.T) {
	opts := testOptions(testMasterKey)
	opts.MaxSize = 1 << 20
	s, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// Hold bbolt's writer lock so the first commit waits for it.
	tx, err := s.db.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	tooBig := s.Enqueue(Entry{1, make([]byte, 2<<20)})
	waitTaken(t, s)
	queued := s.Enqueue(Entry{2, []byte("small")})
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}

	if err := tooBig(); !errors.Is(err, ErrUnwritable) {
		t.Fatalf("entry larger than MaxSize: err = %v, want ErrUnwritable", err)
	}
	if err := queued(); !errors.Is(err, ErrJournalBroken) {
		t.Fatalf("entry queued behind it: err = %v, want ErrJournalBroken", err)
	}
	if got := replayAll(t, s, 0); len(got) != 0 {
		t.Errorf("journal = %v, want empty", seqs(got))
	}
}

// waitTaken waits until the writer has taken the queued entries into a
// commit.
func waitTaken(t *testing.T, s *Store) {
	t.Helper()
	for range 5000 {
		s.w.mu.Lock()
		taken := s.w.entryRes == nil
		s.w.mu.Unlock()
		if taken {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the writer did not take the queued entries within 5 s")
}

// TestSnapshotsQueuedTogether queues two snapshots behind a commit: the
// later one is written, and both callers learn it is durable.
func TestSnapshotsQueuedTogether(t *testing.T) {
	s := openTest(t, t.TempDir())
	tx, err := s.db.Begin(true)
	if err != nil {
		t.Fatal(err)
	}
	first := s.Enqueue(entryFor(1), entryFor(2), entryFor(3))
	waitTaken(t, s)

	errs := make(chan error, 2)
	for _, seq := range []uint64{2, 3} {
		go func() { errs <- s.SaveSnapshot(seq, fmt.Appendf(nil, "state@%d", seq)) }()
		waitSnapshotQueued(t, s, seq)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := first(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	seq, data, err := s.LatestSnapshot()
	if err != nil || seq != 3 || string(data) != "state@3" {
		t.Errorf("LatestSnapshot = %d, %q, %v; want 3, state@3", seq, data, err)
	}
}

// waitSnapshotQueued waits until the snapshot at seq is the queued one.
func waitSnapshotQueued(t *testing.T, s *Store, seq uint64) {
	t.Helper()
	for range 5000 {
		s.w.mu.Lock()
		queued := s.w.snap != nil && s.w.snap.seq == seq
		s.w.mu.Unlock()
		if queued {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("snapshot %d was not queued within 5 s", seq)
}
