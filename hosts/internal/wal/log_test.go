package wal

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// recordData is the data of record seq in tests: its number and a filler
// of varying length, so records straddle buffer boundaries.
func recordData(seq uint64) []byte {
	return append(fmt.Appendf(nil, "record %d;", seq), bytes.Repeat([]byte{byte(seq)}, int(seq*37%300))...)
}

// openT opens a log in dir and closes it when the test ends.
func openT(t testing.TB, dir string, opts Options) *Log {
	t.Helper()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// appendRange appends records from…to with recordData.
func appendRange(t testing.TB, l *Log, from, to uint64) {
	t.Helper()
	for seq := from; seq <= to; seq++ {
		if err := l.Append(seq, recordData(seq)); err != nil {
			t.Fatalf("Append(%d): %v", seq, err)
		}
	}
}

// checkReplay replays l after after and checks that it holds exactly the
// records after+1…last, with their data.
func checkReplay(t testing.TB, l *Log, after, last uint64) {
	t.Helper()
	next := after + 1
	err := l.Replay(after, func(seq uint64, data []byte) error {
		if seq != next {
			return fmt.Errorf("record %d where %d belongs", seq, next)
		}
		if !bytes.Equal(data, recordData(seq)) {
			return fmt.Errorf("record %d holds %q", seq, data)
		}
		next++
		return nil
	})
	if err != nil {
		t.Fatalf("Replay(%d): %v", after, err)
	}
	if want := max(after, last); next-1 != want {
		t.Fatalf("Replay(%d) ended at %d, want %d", after, next-1, want)
	}
}

// segmentFirsts lists the first sequence numbers of the segments in dir.
func segmentFirsts(t testing.TB, dir string) []uint64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var firsts []uint64
	for _, e := range entries {
		if first, ok := parseSegmentName(e.Name()); ok {
			firsts = append(firsts, first)
		}
	}
	return firsts
}

func TestAppendReplayRoundTrip(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{})
	if got := l.Last(); got != 0 {
		t.Fatalf("Last of a new log = %d, want 0", got)
	}
	checkReplay(t, l, 0, 0)
	big := bytes.Repeat([]byte("x"), 3*readBufSize+5) // larger than the read buffer
	for _, data := range [][]byte{[]byte("one"), {}, big, nil, {0, 0, 0}} {
		seq := l.Last() + 1
		if err := l.Append(seq, data); err != nil {
			t.Fatalf("Append(%d): %v", seq, err)
		}
	}
	var got [][]byte
	err := l.Replay(0, func(seq uint64, data []byte) error {
		got = append(got, bytes.Clone(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{[]byte("one"), {}, big, {}, {0, 0, 0}}
	if !slices.EqualFunc(got, want, bytes.Equal) {
		t.Errorf("Replay returned %d records different from the %d appended", len(got), len(want))
	}
}

func TestReplayFromEveryPoint(t *testing.T) {
	l := openT(t, t.TempDir(), Options{SegmentSize: 1 << 10}) // several segments
	appendRange(t, l, 1, 40)
	if n := len(l.segs); n < 4 {
		t.Fatalf("%d segments, want several", n)
	}
	for after := range uint64(42) {
		checkReplay(t, l, after, 40)
	}
}

func TestReplayStopsAtFnError(t *testing.T) {
	l := openT(t, t.TempDir(), Options{})
	appendRange(t, l, 1, 10)
	stop := errors.New("stop")
	var calls int
	err := l.Replay(0, func(seq uint64, _ []byte) error {
		calls++
		if seq == 4 {
			return stop
		}
		return nil
	})
	if err != stop || calls != 4 {
		t.Errorf("Replay with fn failing at 4: err = %v after %d calls, want stop after 4", err, calls)
	}
}

func TestReopenAfterClose(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 2 << 10}
	for round := range uint64(3) {
		l, err := Open(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := l.Last(), round*20; got != want {
			t.Fatalf("round %d: Last = %d, want %d", round, got, want)
		}
		if n, _ := l.Truncated(); n != 0 {
			t.Errorf("round %d: Open truncated %d bytes of a cleanly closed log", round, n)
		}
		checkReplay(t, l, 0, round*20)
		appendRange(t, l, round*20+1, round*20+20)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAppendRejectsOutOfOrder(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{})
	appendRange(t, l, 1, 5)
	for _, seq := range []uint64{0, 1, 5, 7, 1 << 63} {
		if err := l.Append(seq, []byte("x")); !errors.Is(err, ErrOutOfOrder) {
			t.Errorf("Append(%d) after 5: err = %v, want ErrOutOfOrder", seq, err)
		}
	}
	if err := l.WaitDurable(6); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("WaitDurable(6) after 5: err = %v, want ErrOutOfOrder", err)
	}
	appendRange(t, l, 6, 6) // the rejected appends did no harm
	l.Close()
	l = openT(t, dir, Options{})
	checkReplay(t, l, 0, 6)
	if err := l.Append(6, []byte("x")); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("Append(6) after reopening at 6: err = %v, want ErrOutOfOrder", err)
	}
}

func TestAppendTooLarge(t *testing.T) {
	l := openT(t, t.TempDir(), Options{MaxRecordSize: 100})
	if err := l.Append(1, make([]byte, 100)); err != nil {
		t.Fatalf("Append of MaxRecordSize bytes: %v", err)
	}
	if err := l.Append(2, make([]byte, 101)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Append of MaxRecordSize+1 bytes: err = %v, want ErrTooLarge", err)
	}
	if err := l.Append(2, []byte("fits")); err != nil {
		t.Fatalf("Append after ErrTooLarge: %v", err)
	}
}

func TestSegmentsRollAtSegmentSize(t *testing.T) {
	dir := t.TempDir()
	const segSize = 1 << 10
	l := openT(t, dir, Options{SegmentSize: segSize})
	appendRange(t, l, 1, 100)
	if err := l.Append(101, make([]byte, 3*segSize)); err != nil { // larger than a segment
		t.Fatal(err)
	}
	appendRange(t, l, 102, 102)
	for _, seg := range l.segs {
		fi, err := os.Stat(seg.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != seg.size {
			t.Errorf("%s: %d bytes on disk, %d known", seg.path, fi.Size(), seg.size)
		}
		if seg.last > seg.first && fi.Size() > segSize {
			t.Errorf("%s holds records %d…%d in %d bytes, above SegmentSize", seg.path, seg.first, seg.last, fi.Size())
		}
	}
	firsts := segmentFirsts(t, dir)
	if len(firsts) < 10 || !slices.Contains(firsts, 101) || !slices.Contains(firsts, 102) {
		t.Errorf("segments start at %v; want many, one holding only record 101", firsts)
	}
}

func TestOpenCreatesPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "journal")
	l := openT(t, dir, Options{})
	appendRange(t, l, 1, 1)
	l.Close()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = fs.ModeDir | 0o700
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := segmentFirsts(t, dir); !slices.Equal(got, []uint64{1}) {
		t.Errorf("segments %v, want [1]", got)
	}
}

func TestOpenLocked(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{})
	if l2, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
		if err == nil {
			l2.Close()
		}
		t.Fatalf("second Open: err = %v, want ErrLocked", err)
	}
	l.Close()
	openT(t, dir, Options{}) // Close released the lock
}

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, opts := range []Options{
		{Sync: SyncBatch + 1},
		{SyncInterval: -1},
		{SegmentSize: -1},
		{MaxRecordSize: -1},
		{MaxRecordSize: maxRecordLimit + 1},
	} {
		dir := filepath.Join(t.TempDir(), "wal")
		if l, err := Open(dir, opts); err == nil {
			l.Close()
			t.Errorf("Open(%+v) succeeded", opts)
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%+v) created the directory before validating its options", opts)
		}
	}
}

func TestClosedLog(t *testing.T) {
	l := openT(t, t.TempDir(), Options{})
	appendRange(t, l, 1, 3)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for name, call := range map[string]func() error{
		"Append": func() error { return l.Append(4, nil) },
		"Replay": func() error { return l.Replay(0, func(uint64, []byte) error { return nil }) },
		"Rotate": func() error { return l.Rotate(3) },
		"Close":  l.Close,
	} {
		if err := call(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: err = %v, want ErrClosed", name, err)
		}
	}
	if err := l.WaitDurable(3); err != nil {
		t.Errorf("WaitDurable(3) after Close: %v; the record was written", err)
	}
}

// TestConcurrentUse is the proxy's pattern: sequence numbers assigned and
// records appended under the caller's lock, waits outside it, with
// snapshots, rotations and replays running alongside.
func TestConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{Sync: SyncBatch, SegmentSize: 4 << 10})
	const writers, perWriter = 8, 200
	var (
		mu      sync.Mutex
		seq     uint64
		snapSeq uint64 // the latest "snapshot", under mu
		wg      sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				mu.Lock()
				if err := l.Append(seq+1, recordData(seq+1)); err != nil {
					mu.Unlock()
					t.Error(err)
					return
				}
				seq++
				mine := seq
				mu.Unlock()
				if err := l.WaitDurable(mine); err != nil {
					t.Error(err)
					return
				}
				switch {
				case w == 0 && i%25 == 0:
					mu.Lock()
					snap := seq
					snapSeq = snap
					mu.Unlock()
					if err := l.Rotate(snap); err != nil {
						t.Error(err)
					}
				case w == 1 && i%50 == 0:
					mu.Lock()
					after := snapSeq
					mu.Unlock()
					// Rotations may already have passed after; what
					// matters is that a replay never sees a gap.
					err := l.Replay(after, func(uint64, []byte) error { return nil })
					if err != nil && !errors.Is(err, ErrCompacted) {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l = openT(t, dir, Options{})
	if got := l.Last(); got != writers*perWriter {
		t.Fatalf("Last = %d, want %d", got, writers*perWriter)
	}
	checkReplay(t, l, snapSeq, writers*perWriter)
}

// TestAppendDoesNotAllocate: a record costs a write, not garbage; and a
// buffer grown for a large record is not kept.
func TestAppendDoesNotAllocate(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncNone, SyncBatch} {
		l := openT(t, t.TempDir(), Options{Sync: policy})
		data := make([]byte, 256)
		seq := uint64(0)
		allocs := testing.AllocsPerRun(1000, func() {
			seq++
			if err := l.Append(seq, data); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%v: Append allocates %.1f times per record, want 0", policy, allocs)
		}
		if err := l.Append(seq+1, make([]byte, 2*maxKeptBuf)); err != nil {
			t.Fatal(err)
		}
		if c := cap(l.pending); c > maxKeptBuf {
			t.Errorf("%v: Append keeps a buffer of %d bytes after a large record", policy, c)
		}
	}
}
