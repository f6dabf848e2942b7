package wal

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// segment is one file of the log: a header and the records from first to
// last, contiguous.
type segment struct {
	path  string
	first uint64 // sequence number of its first record, from its name
	last  uint64 // of its last record; first-1 while it has none
	size  int64  // bytes of its header and whole records
}

// empty reports whether the segment holds no record.
func (s *segment) empty() bool { return s.last < s.first }

// file is what a [Log] needs of the segment it appends to. *os.File is the
// implementation; tests substitute files that fail.
type file interface {
	io.Writer
	Sync() error
	Truncate(size int64) error
	Close() error
}

// createSegment creates the segment whose first record will be first and
// returns it open for appending. The header goes into a temporary file
// that is then renamed, so a segment file always starts with a whole
// header; [Open] deletes temporary files left by a crash. With sync, the
// file and the directory entry are durable before createSegment returns.
func createSegment(dir string, first uint64, sync bool) (*segment, file, error) {
	seg := &segment{path: filepath.Join(dir, segmentName(first)), first: first, last: first - 1, size: headerSize}
	tmp := seg.path + tmpSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("create segment: %w", err)
	}
	err = writeHeader(f, first, sync)
	if err == nil {
		err = os.Rename(tmp, seg.path)
	}
	if err == nil && sync {
		err = syncDir(dir)
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, nil, fmt.Errorf("create segment %s: %w", filepath.Base(seg.path), err)
	}
	return seg, f, nil
}

// writeHeader writes the header of a segment starting at first into the
// empty file f, and fsyncs it with sync.
func writeHeader(f file, first uint64, sync bool) error {
	if _, err := f.Write(appendHeader(make([]byte, 0, headerSize), first)); err != nil {
		return err
	}
	if sync {
		return f.Sync()
	}
	return nil
}

// syncDir makes the entries of dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Interface guards
var _ file = (*os.File)(nil)
