package sdk_test

import (
	"io"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// TestEventRelay: a Read returns what step makes of every event already
// arrived, never waits for the next, and the end's bytes come with its
// error.
func TestEventRelay(t *testing.T) {
	r, w := io.Pipe()
	events := sdk.NewSSEScanner(r)
	relay := sdk.NewEventRelay(events, func() ([]byte, error) {
		if !events.Next() {
			return []byte("end"), io.EOF
		}
		return append(events.Data(), '|'), nil
	})
	written := make(chan struct{})
	go func() {
		_, _ = io.WriteString(w, "data: a\n\ndata: b\n\n") // one burst
		<-written
		_, _ = io.WriteString(w, "data: c\n\n")
		_ = w.Close()
	}()
	buf := make([]byte, 64)
	for _, want := range []struct {
		s   string
		err error
	}{{"a|b|", nil}, {"c|", nil}, {"end", io.EOF}} {
		n, err := relay.Read(buf)
		if string(buf[:n]) != want.s || err != want.err {
			t.Fatalf("Read = %q, %v; want %q, %v", buf[:n], err, want.s, want.err)
		}
		if want.s == "a|b|" {
			close(written) // the first Read returned without waiting for c
		}
	}
}
