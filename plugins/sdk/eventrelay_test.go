package sdk_test

import (
	"errors"
	"io"
	"strings"
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

// TestEventRelayFailure: a step's failure comes with that step's own bytes
// only, never with those of the events before it (a host drops what comes
// with a failure); io.EOF still comes with them.
func TestEventRelayFailure(t *testing.T) {
	broke := errors.New("broke")
	for _, tc := range []struct {
		name  string
		end   []byte
		err   error
		reads []string
		errs  []error
	}{
		{"failure alone", nil, broke, []string{"a|b|", ""}, []error{nil, broke}},
		{"failure with its bytes", []byte("held"), broke, []string{"a|b|", "held"}, []error{nil, broke}},
		{"clean end", []byte("end"), io.EOF, []string{"a|b|end"}, []error{io.EOF}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events := sdk.NewSSEScanner(strings.NewReader("data: a\n\ndata: b\n\ndata: x\n\n")) // one burst
			relay := sdk.NewEventRelay(events, func() ([]byte, error) {
				if !events.Next() || string(events.Data()) == "x" {
					return tc.end, tc.err
				}
				return append(events.Data(), '|'), nil
			})
			buf := make([]byte, 64)
			for i, want := range tc.reads {
				n, err := relay.Read(buf)
				if string(buf[:n]) != want || err != tc.errs[i] {
					t.Fatalf("Read %d = %q, %v; want %q, %v", i, buf[:n], err, want, tc.errs[i])
				}
			}
		})
	}
}
