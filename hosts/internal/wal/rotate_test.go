package wal

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// segmentExtents returns the (first, last) of l's segments.
func segmentExtents(l *Log) [][2]uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ext [][2]uint64
	for _, s := range l.segs {
		ext = append(ext, [2]uint64{s.first, s.last})
	}
	return ext
}

func TestRotate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		snapshot uint64
	}{
		{"nothing covered", 0},
		{"inside the first segment", 2},
		{"in the middle", 17},
		{"the last record", 30},
		{"ahead of the log", 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := Options{SegmentSize: 1 << 10}
			l := openT(t, dir, opts)
			appendRange(t, l, 1, 30)
			before := segmentExtents(l)

			if err := l.Rotate(tc.snapshot); err != nil {
				t.Fatal(err)
			}
			last := max(30, tc.snapshot)
			var want []uint64 // the segments that hold a record after the snapshot, and a new one
			for _, e := range before {
				if e[1] > tc.snapshot {
					want = append(want, e[0])
				}
			}
			want = append(want, last+1)
			if got := segmentFirsts(t, dir); !slices.Equal(got, want) {
				t.Errorf("segments start at %v after Rotate(%d) of %v, want %v", got, tc.snapshot, before, want)
			}
			if got := l.Last(); got != last {
				t.Errorf("Last = %d, want %d", got, last)
			}

			check := func(l *Log) {
				t.Helper()
				// ErrCompacted for the records the rotation deleted, not
				// for those it kept.
				oldest := want[0]
				if oldest > 1 {
					err := l.Replay(oldest-2, func(uint64, []byte) error { return nil })
					if !errors.Is(err, ErrCompacted) {
						t.Errorf("Replay(%d) with records from %d: err = %v, want ErrCompacted", oldest-2, oldest, err)
					}
				}
				if tc.snapshot < 30 {
					checkReplay(t, l, tc.snapshot, 30)
				}
				if err := l.Append(last, recordData(last)); !errors.Is(err, ErrOutOfOrder) {
					t.Errorf("Append(%d) after Rotate(%d): err = %v, want ErrOutOfOrder", last, tc.snapshot, err)
				}
			}
			check(l)
			l.Close()
			l = openT(t, dir, opts)
			check(l)
			if err := l.Append(last+1, recordData(last+1)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRotateWithoutNewRecordsReusesSegment(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{})
	appendRange(t, l, 1, 10)
	for range 3 {
		if err := l.Rotate(10); err != nil {
			t.Fatal(err)
		}
		if got := segmentFirsts(t, dir); !slices.Equal(got, []uint64{11}) {
			t.Fatalf("segments %v, want [11]", got)
		}
	}
}

// TestRotateCrashPoints reopens the log in each state a crash inside
// Rotate can leave on disk: every one must recover every record after
// the snapshot, and accept the next append.
func TestRotateCrashPoints(t *testing.T) {
	for _, snap := range []uint64{17, 30, 45} {
		// Records 1…30 in six segments or so; then Rotate(snap).
		base := t.TempDir()
		l := openT(t, base, Options{SegmentSize: 1 << 10})
		appendRange(t, l, 1, 30)
		ext := segmentExtents(l)
		l.Close()
		next := max(30, snap) + 1
		var covered []uint64 // deleted by the rotation, oldest first
		for _, e := range ext {
			if e[1] <= snap {
				covered = append(covered, e[0])
			}
		}

		type state struct {
			name    string
			tmp     []byte // content of the new segment's temporary file
			renamed bool   // the new segment exists
			deleted int    // how many covered segments are gone
		}
		states := []state{
			{name: "temporary file, empty", tmp: []byte{}},
			{name: "temporary file, half a header", tmp: appendHeader(nil, next)[:7]},
			{name: "temporary file, whole header", tmp: appendHeader(nil, next)},
			{name: "renamed", renamed: true},
		}
		for k := 1; k <= len(covered); k++ {
			states = append(states, state{name: "deleted some", renamed: true, deleted: k})
		}
		for _, st := range states {
			dir := t.TempDir()
			copyDir(t, base, dir)
			if st.tmp != nil {
				writeFile(t, filepath.Join(dir, segmentName(next)+tmpSuffix), st.tmp)
			}
			if st.renamed {
				writeFile(t, filepath.Join(dir, segmentName(next)), appendHeader(nil, next))
			}
			for _, first := range covered[:st.deleted] {
				if err := os.Remove(filepath.Join(dir, segmentName(first))); err != nil {
					t.Fatal(err)
				}
			}

			l, err := Open(dir, Options{})
			if err != nil {
				t.Fatalf("Rotate(%d) interrupted at %q, %d deleted: Open: %v", snap, st.name, st.deleted, err)
			}
			wantLast := uint64(30)
			if st.renamed {
				wantLast = next - 1
			}
			if got := l.Last(); got != wantLast {
				t.Errorf("Rotate(%d) interrupted at %q, %d deleted: Last = %d, want %d", snap, st.name, st.deleted, got, wantLast)
			}
			if snap < 30 {
				checkReplay(t, l, snap, 30)
			}
			// The caller recovers with Rotate(snap) when the log is behind
			// its snapshot, then appends.
			if l.Last() < snap {
				if err := l.Rotate(snap); err != nil {
					t.Fatal(err)
				}
			}
			if err := l.Append(next, recordData(next)); err != nil {
				t.Errorf("Rotate(%d) interrupted at %q, %d deleted: Append(%d): %v", snap, st.name, st.deleted, next, err)
			}
			l.Close()
		}

		// And the real thing leaves the last of those states.
		l = openT(t, base, Options{})
		if err := l.Rotate(snap); err != nil {
			t.Fatal(err)
		}
		var want []uint64
		for _, e := range ext {
			if e[1] > snap {
				want = append(want, e[0])
			}
		}
		if got := segmentFirsts(t, base); !slices.Equal(got, append(want, next)) {
			t.Errorf("Rotate(%d) left segments %v, want %v", snap, got, append(want, next))
		}
		l.Close()
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies the log's files in from into to.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	for name, b := range dirContents(t, from) {
		writeFile(t, filepath.Join(to, name), b)
	}
}
