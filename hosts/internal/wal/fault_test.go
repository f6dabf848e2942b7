package wal

import (
	"errors"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
)

// faultyFile wraps the file of the segment a log appends to. It counts
// fsyncs, fails writes (letting part of the record through) and fsyncs on
// demand, and holds fsyncs until released.
type faultyFile struct {
	file

	mu       sync.Mutex
	writeErr error // returned by every Write
	partial  int   // bytes of a failing Write that still reach the file
	syncErr  error // returned by every Sync
	syncs    int   // Sync calls

	hold    chan struct{} // if non-nil, Sync waits until it is closed
	entered chan struct{} // if non-nil, Sync sends on it first unless it is full
}

func (f *faultyFile) Write(b []byte) (int, error) {
	f.mu.Lock()
	err, partial := f.writeErr, f.partial
	f.mu.Unlock()
	if err == nil {
		return f.file.Write(b)
	}
	n, _ := f.file.Write(b[:min(partial, len(b))])
	return n, err
}

func (f *faultyFile) Sync() error {
	select {
	case f.entered <- struct{}{}:
	default:
	}
	if f.hold != nil {
		<-f.hold
	}
	f.mu.Lock()
	f.syncs++
	err := f.syncErr
	f.mu.Unlock()
	if err != nil {
		return err
	}
	return f.file.Sync()
}

func (f *faultyFile) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.syncs
}

// inject makes l append through ff, which wraps l's current file.
func inject(l *Log, ff *faultyFile) *faultyFile {
	l.mu.Lock()
	defer l.mu.Unlock()
	ff.file = l.f
	l.f = ff
	return ff
}

func TestFailedWriteBreaksLog(t *testing.T) {
	for _, partial := range []int{0, 5, recordHead + 3} {
		dir := t.TempDir()
		l := openT(t, dir, Options{})
		appendRange(t, l, 1, 3)
		size := fileSize(t, lastSegment(t, dir))
		inject(l, &faultyFile{writeErr: syscall.ENOSPC, partial: partial})

		err := l.Append(4, recordData(4))
		if !errors.Is(err, ErrBroken) || !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("partial %d: Append on a full disk: err = %v, want ErrBroken and ENOSPC", partial, err)
		}
		if got := fileSize(t, lastSegment(t, dir)); got != size {
			t.Errorf("partial %d: segment has %d bytes after the failed write, want %d", partial, got, size)
		}
		for _, seq := range []uint64{4, 5} {
			if err := l.Append(seq, recordData(seq)); !errors.Is(err, ErrBroken) {
				t.Errorf("partial %d: Append(%d) after the failure: err = %v, want ErrBroken", partial, seq, err)
			}
		}
		if err := l.Rotate(2); !errors.Is(err, ErrBroken) {
			t.Errorf("partial %d: Rotate(2), short of record 3: err = %v, want ErrBroken", partial, err)
		}
		checkReplay(t, l, 0, 3)
		if got := l.Last(); got != 3 {
			t.Errorf("partial %d: Last = %d, want 3", partial, got)
		}
		l.Close()

		l = openT(t, dir, Options{})
		if n, _ := l.Truncated(); l.Last() != 3 || n != 0 {
			t.Errorf("partial %d: reopened with Last %d, Truncated %d; want 3, 0", partial, l.Last(), n)
		}
		appendRange(t, l, 4, 5)
		checkReplay(t, l, 0, 5)
	}
}

// TestClosedFileBreaksLog closes the segment's descriptor under the log:
// appends fail, the partial record cannot even be truncated, so Rotate
// cannot repair the log; reopening does.
func TestClosedFileBreaksLog(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{})
	appendRange(t, l, 1, 3)
	l.f.Close()
	if err := l.Append(4, recordData(4)); !errors.Is(err, ErrBroken) || !errors.Is(err, os.ErrClosed) {
		t.Fatalf("Append to a closed file: err = %v, want ErrBroken and os.ErrClosed", err)
	}
	if err := l.Rotate(3); !errors.Is(err, ErrBroken) {
		t.Errorf("Rotate with a closed file: err = %v, want ErrBroken", err)
	}
	l.Close()
	l = openT(t, dir, Options{})
	appendRange(t, l, 4, 4)
	checkReplay(t, l, 0, 4)
}

// TestRotateRepairsBrokenLog: a snapshot that covers every record repairs
// the log, whether or not it includes the input whose append failed.
func TestRotateRepairsBrokenLog(t *testing.T) {
	for _, snap := range []uint64{3, 4} {
		dir := t.TempDir()
		l := openT(t, dir, Options{Sync: SyncBatch})
		appendRange(t, l, 1, 3)
		inject(l, &faultyFile{writeErr: syscall.EIO, partial: 9})
		if err := l.Append(4, recordData(4)); !errors.Is(err, ErrBroken) {
			t.Fatalf("Append: err = %v, want ErrBroken", err)
		}
		if err := l.Rotate(snap); err != nil {
			t.Fatalf("Rotate(%d) of a broken log: %v", snap, err)
		}
		if got := segmentFirsts(t, dir); !slices.Equal(got, []uint64{snap + 1}) {
			t.Errorf("segments %v after Rotate(%d), want [%d]", got, snap, snap+1)
		}
		if err := l.WaitDurable(snap); err != nil {
			t.Errorf("WaitDurable(%d), covered by the snapshot: %v", snap, err)
		}
		appendRange(t, l, snap+1, 6)
		if err := l.WaitDurable(6); err != nil {
			t.Fatal(err)
		}
		l.Close()
		l = openT(t, dir, Options{})
		checkReplay(t, l, snap, 6)
	}
}

func TestFailedSyncBreaksLog(t *testing.T) {
	t.Run("always", func(t *testing.T) {
		dir := t.TempDir()
		l := openT(t, dir, Options{Sync: SyncAlways})
		appendRange(t, l, 1, 3)
		inject(l, &faultyFile{syncErr: syscall.EIO})
		if err := l.Append(4, recordData(4)); !errors.Is(err, ErrBroken) || !errors.Is(err, syscall.EIO) {
			t.Fatalf("Append with a failing fsync: err = %v, want ErrBroken and EIO", err)
		}
		checkReplay(t, l, 0, 3) // the record that was not durable is gone
		if err := l.Append(4, recordData(4)); !errors.Is(err, ErrBroken) {
			t.Errorf("Append after the failure: err = %v, want ErrBroken", err)
		}
	})
	t.Run("batch", func(t *testing.T) {
		dir := t.TempDir()
		l := openT(t, dir, Options{Sync: SyncBatch})
		appendRange(t, l, 1, 3)
		if err := l.WaitDurable(3); err != nil {
			t.Fatal(err)
		}
		ff := inject(l, &faultyFile{syncErr: syscall.EIO})
		appendRange(t, l, 4, 4)
		if err := l.WaitDurable(4); !errors.Is(err, ErrBroken) || !errors.Is(err, syscall.EIO) {
			t.Fatalf("WaitDurable with a failing fsync: err = %v, want ErrBroken and EIO", err)
		}
		if err := l.WaitDurable(3); err != nil {
			t.Errorf("WaitDurable(3), fsync'd before the failure: %v", err)
		}
		if err := l.Append(5, recordData(5)); !errors.Is(err, ErrBroken) {
			t.Errorf("Append after the failed fsync: err = %v, want ErrBroken", err)
		}
		// A later fsync that succeeds proves nothing about the lost pages.
		ff.mu.Lock()
		ff.syncErr = nil
		ff.mu.Unlock()
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if err := l.WaitDurable(4); !errors.Is(err, ErrBroken) {
			t.Errorf("WaitDurable(4) after Close: err = %v, want ErrBroken", err)
		}
	})
}
