package wal

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// scanDir returns the segments in dir, oldest first, unchecked. It deletes
// the temporary files of segments whose creation a crash interrupted.
func scanDir(dir string) ([]*segment, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var segs []*segment
	for _, e := range entries {
		name := e.Name()
		if base, ok := strings.CutSuffix(name, tmpSuffix); ok {
			if _, ok := parseSegmentName(base); ok {
				if err := os.Remove(filepath.Join(dir, name)); err != nil {
					return nil, err
				}
			}
			continue
		}
		if first, ok := parseSegmentName(name); ok && e.Type().IsRegular() {
			segs = append(segs, &segment{path: filepath.Join(dir, name), first: first, last: first - 1})
		}
	}
	slices.SortFunc(segs, func(a, b *segment) int { return cmp.Compare(a.first, b.first) })
	return segs, nil
}

// scanSegment checks seg's header and records and sets seg.last and
// seg.size. A bad record is [ErrCorrupt], except in the log's last segment
// (tail), where a bad record that no valid record follows is the torn
// write of a crash: scanSegment then stops before it and returns how many
// bytes follow. A last segment too short for its header, or whose header
// is zeros, is torn the same way when no valid record follows where the
// header was (see tornHeader): it gets seg.size 0, and the header must be
// rewritten.
func scanSegment(seg *segment, tail bool) (torn int64, err error) {
	name := filepath.Base(seg.path)
	f, err := os.Open(seg.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := fi.Size()
	r := bufio.NewReaderSize(f, readBufSize)

	var h [headerSize]byte
	n, err := io.ReadFull(r, h[:])
	switch {
	case tail && (n < headerSize || h == [headerSize]byte{}):
		if err := tornHeader(f, name, size, seg.first); err != nil {
			return 0, err
		}
		seg.size = 0
		return size, nil
	case err != nil:
		return 0, fmt.Errorf("%w: %s: header: %w", ErrCorrupt, name, readErr(err))
	}
	if err := checkHeader(h[:], name, seg.first); err != nil {
		return 0, err
	}

	rr := recordReader{r: r, off: headerSize, size: size}
	for {
		want := seg.last + 1
		seq, _, err := rr.next()
		switch {
		case errors.Is(err, io.EOF):
			seg.size = rr.off
			return 0, nil
		case err == nil && seq != want:
			return 0, fmt.Errorf("%w: %s: record at offset %d has sequence number %d, want %d",
				ErrCorrupt, name, rr.off, seq, want)
		case err == nil:
			seg.last = seq
			continue
		case !errors.Is(err, errShort) && !errors.Is(err, errChecksum):
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		bad := fmt.Errorf("%w: %s: record %d at offset %d: %w", ErrCorrupt, name, want, rr.off, err)
		if !tail {
			return 0, bad
		}
		rest := make([]byte, size-rr.off)
		if _, err := f.ReadAt(rest, rr.off); err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		if validRecordAfter(rest, want) {
			return 0, fmt.Errorf("%w, and valid records follow it", bad)
		}
		seg.size = rr.off
		return int64(len(rest)), nil
	}
}

// tornHeader checks the last segment f, whose header is cut short or
// zeros. A segment is renamed into place with its whole header, so a
// crash leaves such a header only on a segment that no record had reached
// (a power loss under SyncNone can leave it empty or zeros): the file is
// dropped whole, like a torn record, when no valid record follows where
// the header was. If one does, the header was damaged after records were
// written: that is [ErrCorrupt], never a torn tail to drop with them.
func tornHeader(f *os.File, name string, size int64, first uint64) error {
	if size <= headerSize {
		return nil
	}
	b := make([]byte, size)
	if _, err := f.ReadAt(b, 0); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if validRecordAfter(b, first) {
		return fmt.Errorf("%w: %s: header is zeros, and valid records follow it", ErrCorrupt, name)
	}
	return nil
}
