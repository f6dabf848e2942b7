package wal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Replay calls fn, in order, for every record after the one numbered
// after, up to [Log.Last] as it is when Replay starts; on recovery, after
// is the sequence number of the caller's snapshot (0 without one). data is
// valid only until fn returns: fn copies what it keeps. Replay stops at
// and returns fn's first error.
//
// It fails with [ErrCompacted] when the log no longer holds the record
// after+1 ([Log.Rotate] deleted it), and with [ErrCorrupt] when a record
// does not read back as [Open] found it. Appends and rotations may run
// concurrently; they do not affect the records Replay delivers.
func (l *Log) Replay(after uint64, fn func(seq uint64, data []byte) error) error {
	parts, last, err := l.openForReplay(after)
	if err != nil {
		return fmt.Errorf("wal: replay after %d: %w", after, err)
	}
	if after >= last {
		return nil
	}
	defer func() {
		for _, p := range parts {
			p.f.Close()
		}
	}()
	next := after + 1
	var buf []byte
	for _, p := range parts {
		rr, err := p.reader(buf)
		if err != nil {
			return fmt.Errorf("wal: replay after %d: %w", after, err)
		}
		for {
			seq, data, err := rr.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err == nil && seq > after && seq != next {
				err = fmt.Errorf("record %d where %d belongs", seq, next)
			}
			if err != nil {
				return fmt.Errorf("wal: replay after %d: %w: %s at offset %d: %w",
					after, ErrCorrupt, filepath.Base(p.seg.path), rr.off, err)
			}
			if seq <= after {
				continue
			}
			if err := fn(seq, data); err != nil {
				return err
			}
			next++
		}
		buf = rr.buf
	}
	if next != last+1 {
		return fmt.Errorf("wal: replay after %d: %w: records end at %d, the log at %d", after, ErrCorrupt, next-1, last)
	}
	return nil
}

// replayPart is a segment Replay reads, as it was when Replay started.
type replayPart struct {
	f   *os.File
	seg segment
}

// openForReplay opens the segments that hold the records after+1…Last, so
// that a concurrent Rotate cannot delete them from under Replay, and
// returns them with Last.
func (l *Log) openForReplay(after uint64) (parts []replayPart, last uint64, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return nil, 0, ErrClosed
	case after >= l.last:
		return nil, l.last, nil
	case after+1 < l.start:
		return nil, 0, fmt.Errorf("%w: the oldest record is %d", ErrCompacted, l.start)
	case l.broken == nil:
		if err := l.writePending(); err != nil {
			return nil, 0, err
		}
	}
	for _, seg := range l.segs {
		if seg.first < l.start || seg.empty() || seg.last <= after {
			continue
		}
		f, err := os.Open(seg.path)
		if err != nil {
			for _, p := range parts {
				p.f.Close()
			}
			return nil, 0, err
		}
		parts = append(parts, replayPart{f: f, seg: *seg})
	}
	return parts, l.last, nil
}

// reader checks the part's header and returns a reader of its records,
// reusing buf.
func (p replayPart) reader(buf []byte) (*recordReader, error) {
	r := bufio.NewReaderSize(p.f, readBufSize)
	var h [headerSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, fmt.Errorf("%w: %s: header: %w", ErrCorrupt, filepath.Base(p.seg.path), readErr(err))
	}
	if err := checkHeader(h[:], filepath.Base(p.seg.path), p.seg.first); err != nil {
		return nil, err
	}
	return &recordReader{r: r, off: headerSize, size: p.seg.size, buf: buf}, nil
}
