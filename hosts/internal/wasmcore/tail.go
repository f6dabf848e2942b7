package wasmcore

import (
	"io"
	"strings"
)

// tailSize bounds what a [tail] keeps.
const tailSize = 2048

// tail keeps the last bytes the guest writes to stderr (a Go panic's
// message and stack), for the error that reports the trap.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > tailSize {
		t.b = append(t.b[:0], t.b[len(t.b)-tailSize:]...)
	}
	return len(p), nil
}

// detail formats what was written for an error message; empty if nothing.
func (t *tail) detail() string {
	s := strings.TrimSpace(string(t.b))
	if s == "" {
		return ""
	}
	return " (guest stderr: " + s + ")"
}

// Interface guards
var _ io.Writer = (*tail)(nil)
