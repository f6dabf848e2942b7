package wal

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// recordOffsets returns the offset of every record in the segment at path.
func recordOffsets(t *testing.T, path string) map[uint64]int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(f)
	if _, err := r.Discard(headerSize); err != nil {
		t.Fatal(err)
	}
	rr := recordReader{r: r, off: headerSize, size: fi.Size()}
	offs := map[uint64]int64{}
	for {
		off := rr.off
		seq, _, err := rr.next()
		if err != nil {
			return offs
		}
		offs[seq] = off
	}
}

// lastSegment returns the path of the newest segment in dir.
func lastSegment(t *testing.T, dir string) string {
	t.Helper()
	firsts := segmentFirsts(t, dir)
	return filepath.Join(dir, segmentName(firsts[len(firsts)-1]))
}

func appendFile(t *testing.T, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// patchFile overwrites the bytes at off in path with b.
func patchFile(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// flipByte inverts the byte at off in path.
func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	patchFile(t, path, off, []byte{^b[off]})
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestOpenTruncatesTornTail(t *testing.T) {
	rec11 := appendRecord(nil, 11, recordData(11))
	badCRC := bytes.Clone(rec11)
	badCRC[len(badCRC)-1] ^= 0xff
	longLen := bytes.Clone(rec11)
	binary.LittleEndian.PutUint32(longLen[4:], 1<<20)

	for _, tc := range []struct {
		name string
		tail []byte
	}{
		{"a few bytes of a record header", rec11[:7]},
		{"a record header without its data", rec11[:recordHead]},
		{"half a record", rec11[:len(rec11)/2]},
		{"all but the last byte", rec11[:len(rec11)-1]},
		{"a whole record failing its checksum", badCRC},
		{"a length past the end of the file", longLen},
		{"zeros (a power loss)", make([]byte, 4096)},
		{"half a record, then zeros", append(bytes.Clone(rec11[:len(rec11)/2]), make([]byte, 512)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openT(t, dir, Options{})
			appendRange(t, l, 1, 10)
			l.Close()
			path := lastSegment(t, dir)
			clean := fileSize(t, path)
			appendFile(t, path, tc.tail)

			l = openT(t, dir, Options{})
			if got := l.Last(); got != 10 {
				t.Errorf("Last = %d, want 10", got)
			}
			if got, seg := l.Truncated(); got != int64(len(tc.tail)) || seg != path {
				t.Errorf("Truncated = %d, %s; want %d, %s", got, seg, len(tc.tail), path)
			}
			if got := fileSize(t, path); got != clean {
				t.Errorf("segment has %d bytes after Open, want %d", got, clean)
			}
			checkReplay(t, l, 0, 10)
			appendRange(t, l, 11, 12)
			l.Close()

			l = openT(t, dir, Options{})
			if n, seg := l.Truncated(); n != 0 || seg != "" {
				t.Errorf("second Open truncated %d bytes of %q", n, seg)
			}
			checkReplay(t, l, 0, 12)
		})
	}
}

// TestOpenRewritesTornSegmentHeader: a last segment shorter than its
// header, or whose header is zeros with no record after it, holds no
// record; Open writes the header again.
func TestOpenRewritesTornSegmentHeader(t *testing.T) {
	for _, content := range [][]byte{
		nil,
		appendHeader(nil, 11)[:5],
		make([]byte, headerSize),
		make([]byte, 4096), // a power loss under SyncNone
		append(make([]byte, headerSize), bytes.Repeat([]byte{0xff}, 100)...),
	} {
		dir := t.TempDir()
		l := openT(t, dir, Options{})
		appendRange(t, l, 1, 10)
		l.Close()
		path := filepath.Join(dir, segmentName(11))
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		l = openT(t, dir, Options{})
		if n, seg := l.Truncated(); l.Last() != 10 || n != int64(len(content)) || (n > 0 && seg != path) {
			t.Errorf("header %x: Last = %d, Truncated = %d, %s; want 10, %d, %s", content, l.Last(), n, seg, len(content), path)
		}
		appendRange(t, l, 11, 11)
		checkReplay(t, l, 0, 11)
	}
}

func TestOpenDetectsCorruption(t *testing.T) {
	// Records 1…30 in several segments of about 5 records each.
	setup := func(t *testing.T) (dir string, paths []string) {
		dir = t.TempDir()
		l := openT(t, dir, Options{SegmentSize: 1 << 10})
		appendRange(t, l, 1, 30)
		l.Close()
		for _, first := range segmentFirsts(t, dir) {
			paths = append(paths, filepath.Join(dir, segmentName(first)))
		}
		if len(paths) < 3 {
			t.Fatalf("%d segments, want at least 3", len(paths))
		}
		return dir, paths
	}
	// early returns the first record of the segment at path, which others follow.
	early := func(t *testing.T, path string) (seq uint64, off int64) {
		offs := recordOffsets(t, path)
		seqs := slices.Sorted(maps.Keys(offs))
		if len(seqs) < 2 {
			t.Fatalf("%s holds %d records, want at least 2", path, len(seqs))
		}
		return seqs[0], offs[seqs[0]]
	}

	for _, tc := range []struct {
		name    string
		corrupt func(t *testing.T, dir string, paths []string)
	}{
		{"a flipped data byte in a record of the last segment that others follow", func(t *testing.T, _ string, paths []string) {
			_, off := early(t, paths[len(paths)-1])
			flipByte(t, paths[len(paths)-1], off+recordHead)
		}},
		{"a length in the last segment pointing past the end, records following", func(t *testing.T, _ string, paths []string) {
			_, off := early(t, paths[len(paths)-1])
			patchFile(t, paths[len(paths)-1], off+4, binary.LittleEndian.AppendUint32(nil, 1<<20))
		}},
		{"a flipped byte in the last record of an older segment", func(t *testing.T, _ string, paths []string) {
			flipByte(t, paths[0], fileSize(t, paths[0])-1)
		}},
		{"an older segment cut short", func(t *testing.T, _ string, paths []string) {
			if err := os.Truncate(paths[1], fileSize(t, paths[1])-3); err != nil {
				t.Fatal(err)
			}
		}},
		{"an older segment with a torn header", func(t *testing.T, _ string, paths []string) {
			if err := os.Truncate(paths[1], 5); err != nil {
				t.Fatal(err)
			}
		}},
		{"a valid record with the wrong sequence number", func(t *testing.T, _ string, paths []string) {
			seq, off := early(t, paths[1])
			patchFile(t, paths[1], off, appendRecord(nil, seq+1, recordData(seq)))
		}},
		{"a zeroed header on the last segment, records following", func(t *testing.T, _ string, paths []string) {
			patchFile(t, paths[len(paths)-1], 0, make([]byte, headerSize))
		}},
		{"bad magic", func(t *testing.T, _ string, paths []string) {
			patchFile(t, paths[len(paths)-1], 0, []byte("XX"))
		}},
		{"an unknown format version", func(t *testing.T, _ string, paths []string) {
			patchFile(t, paths[0], len64(magic), []byte{2, 0})
		}},
		{"a header disagreeing with the file name", func(t *testing.T, dir string, paths []string) {
			patchFile(t, paths[1], len64(magic)+2, binary.LittleEndian.AppendUint64(nil, 1000))
		}},
		{"overlapping segments", func(t *testing.T, dir string, paths []string) {
			b := appendHeader(nil, 29)
			for seq := uint64(29); seq <= 31; seq++ {
				b = appendRecord(b, seq, recordData(seq))
			}
			if err := os.WriteFile(filepath.Join(dir, segmentName(29)), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, paths := setup(t)
			tc.corrupt(t, dir, paths)
			before := dirContents(t, dir)
			l, err := Open(dir, Options{})
			if err == nil {
				l.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: err = %v, want ErrCorrupt", err)
			}
			t.Logf("Open: %v", err)
			if !maps.EqualFunc(before, dirContents(t, dir), bytes.Equal) {
				t.Error("Open changed the files of the log it rejected")
			}
		})
	}
}

// TestOpenRefusesZeroedHeaderBeforeRecords: a last segment whose header
// is zeros but whose records are whole was damaged, not torn by a crash
// (a segment is renamed into place with its header). Open must not drop
// its records and reuse their sequence numbers: it fails with ErrCorrupt
// naming the file, and leaves the file as it was.
func TestOpenRefusesZeroedHeaderBeforeRecords(t *testing.T) {
	for _, tc := range []struct {
		name        string
		segmentSize int64
	}{
		{"the only segment", 0},
		{"the last of several", 1 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openT(t, dir, Options{SegmentSize: tc.segmentSize})
			appendRange(t, l, 1, 30)
			l.Close()
			path := lastSegment(t, dir)
			if len(recordOffsets(t, path)) == 0 {
				t.Fatal("the last segment holds no record")
			}
			patchFile(t, path, 0, make([]byte, headerSize))
			before := dirContents(t, dir)

			l, err := Open(dir, Options{})
			if err == nil {
				l.Close()
				t.Fatal("Open succeeded: the last segment's records were dropped")
			}
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), filepath.Base(path)) {
				t.Fatalf("Open: err = %v, want ErrCorrupt naming %s", err, filepath.Base(path))
			}
			t.Logf("Open: %v", err)
			if !maps.EqualFunc(before, dirContents(t, dir), bytes.Equal) {
				t.Error("Open changed the files of the log it rejected")
			}
		})
	}
}

// dirContents returns the files in dir by name.
func dirContents(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func len64(s string) int64 { return int64(len(s)) }

// TestOpenDeletesTemporaryFiles: a segment whose creation a crash
// interrupted is deleted; files that are not the log's are left alone.
func TestOpenDeletesTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{})
	appendRange(t, l, 1, 3)
	l.Close()
	tmp := filepath.Join(dir, segmentName(4)+tmpSuffix)
	other := filepath.Join(dir, "notes.tmp")
	for _, p := range []string{tmp, other} {
		if err := os.WriteFile(p, appendHeader(nil, 4)[:9], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l = openT(t, dir, Options{})
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s survived Open: %v", tmp, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("Open deleted a file that is not a segment: %v", err)
	}
	appendRange(t, l, 4, 4)
	checkReplay(t, l, 0, 4)
}
