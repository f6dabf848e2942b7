package sdk

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxSSEEventBytes bounds one event read by an [SSEScanner], so a broken or
// hostile stream cannot make it buffer without limit.
const MaxSSEEventBytes = 16 << 20

// ErrSSEEventTooLarge is returned by [SSEScanner.Err] when an event exceeds
// [MaxSSEEventBytes].
var ErrSSEEventTooLarge = errors.New("sdk: server-sent event too large")

// SSEScanner reads a text/event-stream one event at a time, keeping each
// event's exact bytes so a relay can forward, drop or inspect events
// without re-encoding them. Lines end in "\n" or "\r\n" (a lone "\r" is not
// a line end).
//
// Every block up to a blank line is returned, comment-only blocks included
// (their Data is empty); blank lines with nothing before them are kept in the
// next event's Raw. Unlike a browser, it also returns a final block cut off by
// EOF without its blank line, so no byte is lost.
//
// Use it like bufio.Scanner:
//
//	s := sdk.NewSSEScanner(r)
//	for s.Next() {
//		if bytes.Equal(s.Data(), []byte("[DONE]")) { … }
//		w.Write(s.Raw())
//	}
//	if err := s.Err(); err != nil { … }
type SSEScanner struct {
	r     *bufio.Reader
	raw   []byte
	data  []byte
	event []byte
	err   error
	done  bool
}

// NewSSEScanner returns a scanner reading r.
func NewSSEScanner(r io.Reader) *SSEScanner {
	return &SSEScanner{r: bufio.NewReader(r)}
}

// Next reads the next event. It returns false at the end of the stream or
// on an error, which [SSEScanner.Err] then reports.
func (s *SSEScanner) Next() bool {
	if s.done {
		return false
	}
	s.raw, s.data, s.event = s.raw[:0], s.data[:0], s.event[:0]
	hasFields, hasData := false, false
	for {
		line, err := s.readLine()
		if err != nil {
			s.done = true
			if err != io.EOF {
				s.err = err
				return false
			}
			return len(s.raw) > 0
		}
		if len(line) == 0 { // blank line: the event ends, if it has begun
			if hasFields {
				return true
			}
			continue
		}
		hasFields = true
		name, value := splitField(line)
		switch string(name) {
		case "data":
			if hasData {
				s.data = append(s.data, '\n')
			}
			s.data, hasData = append(s.data, value...), true
		case "event":
			s.event = append(s.event[:0], value...)
		}
	}
}

// Ready reports whether the next event is already buffered whole, so that
// Next returns it without waiting for the stream.
func (s *SSEScanner) Ready() bool {
	if s.done {
		return false
	}
	b, _ := s.r.Peek(s.r.Buffered())
	began := false
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return false
		}
		if line := bytes.TrimSuffix(b[:i], []byte("\r")); len(line) > 0 {
			began = true
		} else if began {
			return true
		}
		b = b[i+1:]
	}
}

// Raw returns the event's exact bytes, through its terminating blank line.
// It is valid until the next call to Next.
func (s *SSEScanner) Raw() []byte { return s.raw }

// Data returns the event's data lines joined by "\n"; empty if it had
// none. It is valid until the next call to Next.
func (s *SSEScanner) Data() []byte { return s.data }

// Event returns the event's type (its "event:" field); empty means
// "message".
func (s *SSEScanner) Event() string { return string(s.event) }

// Err returns the error that stopped the scanner; nil at a clean end.
func (s *SSEScanner) Err() error { return s.err }

// readLine appends the next line, terminator included, to s.raw and returns
// it without the terminator. At the end of the stream it returns io.EOF,
// after returning a last unterminated line (if any) on its own.
func (s *SSEScanner) readLine() ([]byte, error) {
	start := len(s.raw)
	for {
		chunk, err := s.r.ReadSlice('\n')
		s.raw = append(s.raw, chunk...)
		if len(s.raw) > MaxSSEEventBytes {
			return nil, fmt.Errorf("%w: over %d bytes", ErrSSEEventTooLarge, MaxSSEEventBytes)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(s.raw) > start:
			return s.raw[start:], nil
		case err != nil:
			return nil, err
		}
		line := s.raw[start : len(s.raw)-1]
		return bytes.TrimSuffix(line, []byte("\r")), nil
	}
}

// splitField splits an event-stream line into its field name and value
// ("data: x" → "data", "x"); a comment (":…") has an empty name.
func splitField(line []byte) (name, value []byte) {
	name, value, found := bytes.Cut(line, []byte(":"))
	if !found {
		return line, nil
	}
	return name, bytes.TrimPrefix(value, []byte(" "))
}
