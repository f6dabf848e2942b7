package translate

import "errors"

// Stream translates a server-sent event stream one event at a time, as it
// arrives: nothing is buffered beyond the event at hand. It is not safe
// for concurrent use.
type Stream interface {
	// Event translates one upstream event, given by its type (the
	// "event:" field, empty if none) and its data (empty for a comment),
	// into the bytes to send the client: zero or more whole events. An
	// error means the event cannot be translated; the stream is then
	// broken, as it is after an error event (translated into the
	// client's): later events and End return [ErrStreamBroken] and
	// nothing, so no clean ending follows a failure.
	Event(event string, data []byte) ([]byte, error)
	// End is called once the upstream stream has ended cleanly. It
	// returns the client's closing events, if the upstream did not send
	// what they are made from, or [ErrStreamCut] if it ended before its
	// answer was complete.
	End() ([]byte, error)
}

// ErrStreamCut is returned by [Stream.End] for an upstream stream that
// ended before its last event (message_stop, or a finish_reason).
var ErrStreamCut = errors.New("translate: the stream ended before the answer was complete")

// ErrStreamBroken is returned by [Stream.Event] and [Stream.End] once an
// earlier event broke the stream: it could not be translated, or it was
// an error event.
var ErrStreamBroken = errors.New("translate: the stream broke at an earlier event")

// breakable is what a stream remembers of an event that broke it.
type breakable struct{ broken bool }

// guard translates an event with translate unless the stream is broken,
// and breaks it when translate fails.
func (b *breakable) guard(data []byte, translate func([]byte) ([]byte, error)) ([]byte, error) {
	if b.broken {
		return nil, ErrStreamBroken
	}
	out, err := translate(data)
	if err != nil {
		b.broken = true
		return nil, err
	}
	return out, nil
}
