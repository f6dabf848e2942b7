package wal

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
)

// The on-disk format; doc.go describes it for readers of the files.

const (
	segmentPrefix = "journal-"
	segmentSuffix = ".wal"
	tmpSuffix     = ".tmp"    // a segment being created
	seqDigits     = 20        // digits of the largest uint64
	formatVersion = uint16(1) // of the segment header
	headerSize    = 16        // segment header: magic, version, first seq
	recordHead    = 16        // record header: crc, length, seq
	magic         = "AKRWAL"  // first bytes of every segment
	readBufSize   = 64 << 10  // bufio size for scanning and replaying
	maxKeptBuf    = 1 << 20   // Append keeps a larger buffer for one record only
	maxDeferred   = 64 << 10  // deferred records written out at once beyond this
	crcOffset     = 4         // the checksum covers a record from here on
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Internal read outcomes; scanning turns them into a torn tail or
// [ErrCorrupt], replay into ErrCorrupt.
var (
	errShort    = errors.New("cut short by the end of the file")
	errChecksum = errors.New("checksum mismatch")
)

// segmentName is the file name of the segment whose first record is first.
// The fixed width makes names sort in sequence order.
func segmentName(first uint64) string {
	return fmt.Sprintf("%s%0*d%s", segmentPrefix, seqDigits, first, segmentSuffix)
}

// parseSegmentName returns the first sequence number in a segment's name.
func parseSegmentName(name string) (first uint64, ok bool) {
	digits, ok := strings.CutPrefix(name, segmentPrefix)
	if !ok {
		return 0, false
	}
	digits, ok = strings.CutSuffix(digits, segmentSuffix)
	if !ok || len(digits) != seqDigits {
		return 0, false
	}
	first, err := strconv.ParseUint(digits, 10, 64)
	return first, err == nil
}

// appendHeader appends the header of a segment starting at first.
func appendHeader(dst []byte, first uint64) []byte {
	dst = append(dst, magic...)
	dst = binary.LittleEndian.AppendUint16(dst, formatVersion)
	return binary.LittleEndian.AppendUint64(dst, first)
}

// checkHeader checks that h is the header of the segment file name, whose
// name says it starts at first.
func checkHeader(h []byte, name string, first uint64) error {
	if string(h[:len(magic)]) != magic {
		return fmt.Errorf("%w: %s: bad magic %q", ErrCorrupt, name, h[:len(magic)])
	}
	if v := binary.LittleEndian.Uint16(h[len(magic):]); v != formatVersion {
		return fmt.Errorf("%w: %s: format version %d (this build reads %d)", ErrCorrupt, name, v, formatVersion)
	}
	if got := binary.LittleEndian.Uint64(h[len(magic)+2:]); got != first {
		return fmt.Errorf("%w: %s: header says first record %d", ErrCorrupt, name, got)
	}
	return nil
}

// appendRecord appends the record (seq, data) to dst.
func appendRecord(dst []byte, seq uint64, data []byte) []byte {
	off := len(dst)
	dst = binary.LittleEndian.AppendUint32(dst, 0) // checksum, below
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(data)))
	dst = binary.LittleEndian.AppendUint64(dst, seq)
	dst = append(dst, data...)
	binary.LittleEndian.PutUint32(dst[off:], crc32.Checksum(dst[off+crcOffset:], castagnoli))
	return dst
}

// recordReader reads the records of one segment, after its header.
type recordReader struct {
	r    *bufio.Reader
	off  int64 // offset in the file of the next record
	size int64 // bytes of the file to read
	buf  []byte
}

// next reads the record at rr.off and advances past it. It returns io.EOF
// at the end, errShort for a record cut short by the end, and errChecksum
// for a record whose checksum fails. data is valid until the next call.
func (rr *recordReader) next() (seq uint64, data []byte, err error) {
	left := rr.size - rr.off
	if left == 0 {
		return 0, nil, io.EOF
	}
	if left < recordHead {
		return 0, nil, errShort
	}
	var h [recordHead]byte
	if _, err := io.ReadFull(rr.r, h[:]); err != nil {
		return 0, nil, readErr(err)
	}
	n := int64(binary.LittleEndian.Uint32(h[4:]))
	if n > left-recordHead {
		return 0, nil, errShort // never allocate for a length the file cannot hold
	}
	if int64(cap(rr.buf)) < n {
		rr.buf = make([]byte, n)
	}
	data = rr.buf[:n]
	if _, err := io.ReadFull(rr.r, data); err != nil {
		return 0, nil, readErr(err)
	}
	crc := crc32.Update(crc32.Checksum(h[crcOffset:], castagnoli), castagnoli, data)
	if crc != binary.LittleEndian.Uint32(h[:]) {
		return 0, nil, errChecksum
	}
	rr.off += recordHead + n
	return binary.LittleEndian.Uint64(h[8:]), data, nil
}

// readErr reports a file that ended before its size said as errShort.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errShort
	}
	return err
}

// validRecordAfter reports whether tail, the bytes from a bad record to the
// end of the segment, holds a valid record with a sequence number of at
// least seq after its first byte. If it does, the bad record is corruption
// inside the log, not a torn tail. Candidates are filtered on a plausible
// sequence number and length before their checksum is computed, so
// scanning a large tail stays linear.
func validRecordAfter(tail []byte, seq uint64) bool {
	maxSeq := seq + uint64(len(tail))/recordHead
	for p := 1; p+recordHead <= len(tail); p++ {
		s := binary.LittleEndian.Uint64(tail[p+8:])
		if s < seq || s > maxSeq {
			continue
		}
		end := int64(p) + recordHead + int64(binary.LittleEndian.Uint32(tail[p+4:]))
		if end > int64(len(tail)) {
			continue
		}
		if crc32.Checksum(tail[p+crcOffset:end], castagnoli) == binary.LittleEndian.Uint32(tail[p:]) {
			return true
		}
	}
	return false
}
