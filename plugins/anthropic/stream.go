package anthropic

import (
	"fmt"
	"io"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// streamReader relays a Messages server-sent event stream, each event as
// soon as it arrives (a Read returns those already buffered together, but
// never waits for more): byte for byte, or through convert for a client of
// another format. On the way it reads the usage of message_start
// and message_delta. A stream that ends before message_stop is relayed as
// far as it went and then ends the body with a server error instead of
// io.EOF.
//
// message_stop (translated: the usage chunk and "[DONE]") is held until
// the provider's stream ends and comes with io.EOF in one Read: clients
// close their connection as soon as they see it, and across the plugin
// boundary the usage travels with the end of the body, so the two must
// arrive together or the host may lose the usage to the client's hang-up.
// Once message_stop has arrived the answer is whole: a connection that
// then breaks does not fail it.
//
// An error event or an event that is not JSON (or, translated, one that
// cannot be translated) breaks the stream: it is the last event relayed
// (as it came; translated, the client's error event or nothing), in a
// Read without error, so the client sees what the provider sent up to the
// failure. The next Read returns a server error and nothing else, without
// waiting for the provider's stream to end: the events after it are not
// read, and what was held, message_stop included, is dropped.
type streamReader struct {
	*sdk.EventRelay // Read
	body            io.ReadCloser
	events          *sdk.SSEScanner
	// convert translates each event for the client; nil relays them as
	// they are.
	convert translate.Stream

	held    []byte // message_stop and what follows, sent with the end
	usage   usage
	stopped bool  // message_stop arrived
	broken  error // the provider's own stream failure: nothing is relayed after it
}

func newStreamReader(body io.ReadCloser) *streamReader {
	s := &streamReader{body: body, events: sdk.NewSSEScanner(body)}
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
	out := s.inspect(s.events.Event(), s.events.Data(), s.events.Raw())
	if s.stopped && s.broken == nil {
		s.held = append(s.held, out...)
		return nil, nil
	}
	return out, nil
}

// inspect reads one event and returns the bytes to relay for it: the
// event as it came, or its translation for the client.
func (s *streamReader) inspect(event string, data, raw []byte) []byte {
	if len(data) > 0 && !translate.Valid(data) {
		s.fail("anthropic: malformed stream event")
		if s.convert != nil {
			return nil // nothing the client's format could carry
		}
		return raw
	}
	if len(data) > 0 {
		doc := gjson.ParseBytes(data)
		switch doc.Get("type").Str {
		case "message_start":
			s.usage.update(doc.Get("message.usage"))
		case "message_delta":
			s.usage.update(doc.Get("usage"))
		case "message_stop":
			s.stopped = true
		case "error":
			s.fail("anthropic: stream error event: " + doc.Get("error.type").Str + ": " + doc.Get("error.message").Str)
		}
	}
	if s.convert == nil {
		return raw
	}
	out, err := s.convert.Event(event, data)
	if err != nil {
		s.fail("anthropic: " + err.Error())
	}
	return out
}

// fail records the first failure of the provider's stream.
func (s *streamReader) fail(msg string) {
	if s.broken == nil {
		s.broken = &sdk.Error{Result: abi.ServerError, Message: msg}
	}
}

// end returns what ends a stream that did not break: a read error or a
// cut before message_stop, or the held events (and the client's closing
// ones) with io.EOF.
func (s *streamReader) end() ([]byte, error) {
	switch {
	case !s.stopped && s.events.Err() != nil:
		return nil, fmt.Errorf("anthropic: read stream: %w", s.events.Err())
	case !s.stopped:
		return nil, &sdk.Error{Result: abi.ServerError, Message: "anthropic: the stream ended before message_stop"}
	case s.convert != nil:
		tail, err := s.convert.End()
		if err != nil {
			return nil, &sdk.Error{Result: abi.ServerError, Message: "anthropic: " + err.Error()}
		}
		return append(s.held, tail...), io.EOF
	}
	return s.held, io.EOF
}

func (s *streamReader) Close() error { return s.body.Close() }

// Usage returns the usage the stream reported so far.
func (s *streamReader) Usage() abi.Usage { return s.usage.abi() }

// Interface guards
var _ io.ReadCloser = (*streamReader)(nil)
