package main

import (
	"bytes"
	"io"
	"sync"
)

// stderrTailBytes bounds what a failed start's log line quotes of the
// plugin's stderr: its last lines, up to this much.
const stderrTailBytes = 4 << 10

// stderrTail keeps the last [stderrTailBytes] of a plugin's stderr since
// [stderrTail.reset]: what a plugin that failed to start said before it
// exited. go-plugin logs such lines only at debug level, and answers with
// a generic error ("Failed to read any lines from plugin's stdout").
type stderrTail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *stderrTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*stderrTailBytes {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-stderrTailBytes:]...)
	}
	return len(p), nil
}

// String returns the last whole lines written, at most [stderrTailBytes].
func (t *stderrTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.buf
	if len(b) > stderrTailBytes {
		b = b[len(b)-stderrTailBytes:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(bytes.TrimSpace(b))
}

// reset forgets what was written.
func (t *stderrTail) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = t.buf[:0]
}

// Interface guards
var _ io.Writer = (*stderrTail)(nil)
