package sdk

import "io"

// EventRelay is the Read of a body relayed event by event from an
// [SSEScanner]: each Read returns what step makes of every event that has
// already arrived whole, and never waits for one that has not, as a plain
// proxy forwards what one socket read brought.
//
// A step's failure (an error other than io.EOF) comes in a Read with that
// step's own bytes only: the bytes of earlier steps go first, in a Read
// that returns no error. Hosts drop what comes with a failure (it may be a
// clean ending a reader held), so what was relayed before it must not
// travel with it.
type EventRelay struct {
	events  *SSEScanner
	step    func() ([]byte, error)
	pending []byte // the unsent rest of the last step's bytes
	err     error  // what Read returns once pending is drained
}

// NewEventRelay returns the relay of events. step consumes the next event
// and returns the bytes to relay for it, maybe none; at the end it returns
// the last bytes and what Read returns after them (io.EOF at a clean end).
func NewEventRelay(events *SSEScanner, step func() ([]byte, error)) *EventRelay {
	return &EventRelay{events: events, step: step}
}

// Read fills p with the bytes of the events already arrived, consuming at
// least one event unless p is full.
func (r *EventRelay) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(r.pending) == 0 {
			switch {
			case r.err != nil:
				return n, r.err // the last bytes come with the end
			case n > 0 && !r.events.Ready():
				return n, nil // what arrived goes now; the next event has not
			}
			r.pending, r.err = r.step()
			if n > 0 && r.err != nil && r.err != io.EOF {
				return n, nil // the failure comes next, with its own bytes only
			}
			continue
		}
		c := copy(p[n:], r.pending)
		r.pending = r.pending[c:]
		n += c
	}
	if len(r.pending) == 0 && r.err != nil {
		return n, r.err
	}
	return n, nil
}
