package wal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// onDisk opens a copy of the segment files of dir as they are now: what a
// kill -9 would leave.
func onDisk(t *testing.T, dir string) *Log {
	t.Helper()
	cp := t.TempDir()
	names, err := filepath.Glob(filepath.Join(dir, "*.wal"))
	if err != nil || len(names) == 0 {
		t.Fatalf("segments in %s: %v %v", dir, names, err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cp, filepath.Base(n)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return openT(t, cp, Options{})
}

func deferRange(t *testing.T, l *Log, from, to uint64) {
	t.Helper()
	for seq := from; seq <= to; seq++ {
		if err := l.Defer(seq, recordData(seq)); err != nil {
			t.Fatalf("Defer(%d): %v", seq, err)
		}
	}
}

func TestDeferWaitsForTheNextAppend(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{SegmentSize: 4 << 10})
	appendRange(t, l, 1, 1)
	deferRange(t, l, 2, 3)
	if l.Last() != 3 {
		t.Fatalf("Last after two deferred records: %d, want 3", l.Last())
	}
	if got := onDisk(t, dir).Last(); got != 1 {
		t.Fatalf("deferred records were written before an Append: the disk ends at %d", got)
	}
	if err := l.Append(3, recordData(3)); err == nil {
		t.Fatal("Append took a sequence number a deferred record holds")
	}
	// Enough deferred records to overflow the small segments on the next
	// write: the roll must keep them in order.
	deferRange(t, l, 4, 40)
	appendRange(t, l, 41, 41)
	d := onDisk(t, dir)
	checkReplay(t, d, 0, 41)
	checkReplay(t, l, 0, 41)
	if len(segmentFirsts(t, dir)) < 2 {
		t.Fatal("the records did not roll over to a second segment")
	}
}

func TestDeferredRecordsAreWrittenByEveryOtherCall(t *testing.T) {
	for _, tc := range []struct {
		name string
		call func(*Log) error
	}{
		{"Rotate", func(l *Log) error { return l.Rotate(1) }},
		{"Replay", func(l *Log) error { return l.Replay(0, func(uint64, []byte) error { return nil }) }},
		{"WaitDurable", func(l *Log) error { return l.WaitDurable(3) }},
		{"Write", func(l *Log) error { return l.Write(3) }},
		{"Close", func(l *Log) error { return l.Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openT(t, dir, Options{})
			appendRange(t, l, 1, 1)
			deferRange(t, l, 2, 3)
			if err := tc.call(l); err != nil {
				t.Fatal(err)
			}
			if got := onDisk(t, dir).Last(); got != 3 {
				t.Fatalf("after %s the disk ends at %d, want 3", tc.name, got)
			}
		})
	}
}

func TestDeferredRecordsAreWrittenWhenMany(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{})
	seq := uint64(0)
	for size := 0; size < maxDeferred; size += len(recordData(seq)) + recordHead {
		seq++
		if err := l.Defer(seq, recordData(seq)); err != nil {
			t.Fatal(err)
		}
	}
	if got := onDisk(t, dir).Last(); got != seq {
		t.Fatalf("%d deferred records (over %d bytes) were kept: the disk ends at %d", seq, maxDeferred, got)
	}
}

func TestWriteWritesUpToTheRecord(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{Sync: SyncBatch})
	deferRange(t, l, 1, 3)
	if err := l.Write(2); err != nil {
		t.Fatal(err)
	}
	if got := onDisk(t, dir).Last(); got != 3 {
		t.Fatalf("Write(2) left the disk ending at %d, want 3: the deferred records go in one write", got)
	}
	if err := l.Write(3); err != nil {
		t.Fatalf("Write of a record written already: %v", err)
	}
	if err := l.Write(4); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("Write of a record not accepted: %v, want ErrOutOfOrder", err)
	}
}
