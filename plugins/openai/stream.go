package openai

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// doneData is the data of a stream's last event.
var doneData = []byte("[DONE]")

// streamReader relays an OpenAI server-sent event stream byte for byte,
// each event as soon as it arrives: a Read returns the events already
// buffered together (one write and flush for the relay, as a plain proxy
// forwards what one read of the socket brought) but never waits for more. On the way it records the
// usage chunk's usage and, when hideUsage, drops that chunk (the adapter
// asked for it, the client did not). With convert set, each event is
// translated for a client of another format instead, as it arrives.
//
// "[DONE]" (translated: message_delta and message_stop) and whatever
// follows it are held until the provider's stream ends, and come with
// io.EOF in one Read: across the plugin boundary the usage then travels
// with the last bytes (a client hangs up as soon as it sees the end), and
// a stream that breaks before its end never shows the client a clean one.
// Once "[DONE]" has arrived the answer is whole: a connection that then
// breaks does not fail it.
//
// A mid-stream error event or an event that is not JSON (or, translated,
// one that cannot be translated) breaks the stream: it is the last event
// relayed (as it came; translated, the client's error event or nothing),
// in a Read without error, so the client sees what the provider sent up
// to the failure. The next Read returns a server error and nothing else,
// without waiting for the provider's stream to end: the events after it
// are not read, and what was held, "[DONE]" included, is dropped.
type streamReader struct {
	*sdk.EventRelay // Read
	body            io.ReadCloser
	events          *sdk.SSEScanner
	hideUsage       bool
	// convert, when set, translates every event for a client of another
	// format (the usage chunk included) instead of relaying it.
	convert translate.Stream

	held   []byte // "[DONE]" (or its translation) and what follows, sent with the end
	done   bool   // "[DONE]" arrived: the answer is whole
	usage  abi.Usage
	broken error // the provider's own stream failure: nothing is relayed after it
}

func newStreamReader(body io.ReadCloser, hideUsage bool) *streamReader {
	s := &streamReader{body: body, events: sdk.NewSSEScanner(body), hideUsage: hideUsage}
	s.EventRelay = sdk.NewEventRelay(s.events, s.step)
	return s
}

// step consumes one event and returns what to relay of it (maybe
// nothing), or ends the stream.
func (s *streamReader) step() ([]byte, error) {
	if s.broken != nil {
		return nil, s.broken // the event that broke the stream was the last
	}
	if !s.events.Next() {
		return s.end()
	}
	out := s.inspect(s.events.Data(), s.events.Raw())
	if s.convert != nil {
		out = s.converted(s.events.Event(), s.events.Data())
	}
	s.done = s.done || bytes.Equal(s.events.Data(), doneData)
	if s.done && s.broken == nil {
		s.held = append(s.held, out...)
		return nil, nil
	}
	return out, nil
}

// inspect looks at one event and returns the bytes to relay: raw, or nil
// to drop it.
func (s *streamReader) inspect(data, raw []byte) []byte {
	if len(data) == 0 || bytes.Equal(data, doneData) {
		return raw
	}
	if !translate.Valid(data) {
		s.fail("openai: malformed stream event")
		return raw
	}
	ev := parseEvent(data)
	if ev.err.Exists() {
		s.fail("openai: stream error event: " + strings.Clone(ev.err.Get("message").String()))
		return raw
	}
	usage := ev.usage
	if !usage.IsObject() {
		usage = ev.groq.Get("usage")
	}
	if u, ok := usageIn(usage); ok {
		s.usage = u
		if s.hideUsage && ev.choices.Get("#").Int() == 0 {
			return nil
		}
	}
	return raw
}

// event holds the members of a stream event's top-level object that the
// reader looks at; each is the first of its name, as a lookup finds it.
type event struct {
	err, usage, groq, choices gjson.Result
}

// parseEvent reads an event's members in one pass over its top level: a
// lookup per member would scan the event once for each (a stream has one
// event per word, and they were most of a stream's relay cost).
//
// The members are views of data, valid until the scanner reads the next
// event: whatever outlives the event must be copied (gjson's README shows
// this way of reading bytes without a copy per event).
func parseEvent(data []byte) event {
	var ev event
	gjson.Parse(unsafe.String(unsafe.SliceData(data), len(data))).ForEach(func(k, v gjson.Result) bool {
		var m *gjson.Result
		switch k.String() {
		case "error":
			m = &ev.err
		case "usage":
			m = &ev.usage
		case "x_groq":
			m = &ev.groq
		case "choices":
			m = &ev.choices
		default:
			return true
		}
		if !m.Exists() {
			*m = v
		}
		return true
	})
	return ev
}

// fail records the first failure of the provider's stream.
func (s *streamReader) fail(msg string) {
	if s.broken == nil {
		s.broken = &sdk.Error{Result: abi.ServerError, Message: msg}
	}
}

// converted returns an event translated for the client.
func (s *streamReader) converted(event string, data []byte) []byte {
	out, err := s.convert.Event(event, data)
	if err != nil {
		s.fail("openai: " + err.Error())
	}
	return out
}

// end returns what ends a stream that did not break: a read error before
// "[DONE]", or the held events (and a translation's closing ones) with
// io.EOF.
func (s *streamReader) end() ([]byte, error) {
	switch {
	case s.events.Err() != nil && !s.done:
		return nil, fmt.Errorf("openai: read stream: %w", s.events.Err())
	case s.convert != nil:
		tail, err := s.convert.End()
		if err != nil {
			return nil, &sdk.Error{Result: abi.ServerError, Message: "openai: " + err.Error()}
		}
		return append(s.held, tail...), io.EOF
	}
	return s.held, io.EOF
}

func (s *streamReader) Close() error { return s.body.Close() }

// Usage returns the usage the stream reported so far.
func (s *streamReader) Usage() abi.Usage { return s.usage }

// Interface guards
var _ io.ReadCloser = (*streamReader)(nil)
