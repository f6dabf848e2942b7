package gemini

import (
	"fmt"
	"io"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// maxAnswerBody bounds a JSON answer the adapter reads to translate.
const maxAnswerBody = 64 << 20

// jsonReader reads a generateContent answer whole on the first Read,
// translates it and then yields the OpenAI chat completion. An answer it
// cannot read or translate ends with a server error.
type jsonReader struct {
	body    io.ReadCloser
	model   string
	created int64

	out   []byte
	usage abi.Usage
	err   error
	done  bool
}

func (j *jsonReader) Read(p []byte) (int, error) {
	if !j.done {
		j.done = true
		j.translate()
	}
	if len(j.out) == 0 {
		if j.err != nil {
			return 0, j.err
		}
		return 0, io.EOF
	}
	n := copy(p, j.out)
	j.out = j.out[n:]
	return n, nil
}

// translate reads and translates the answer.
func (j *jsonReader) translate() {
	raw, err := io.ReadAll(io.LimitReader(j.body, maxAnswerBody+1))
	switch {
	case err != nil:
		j.err = fmt.Errorf("gemini: read answer: %w", err)
	case len(raw) > maxAnswerBody:
		j.err = &sdk.Error{Result: abi.ServerError, Message: "gemini: answer larger than 64 MiB"}
	default:
		j.out, j.usage, err = ChatResponse(raw, j.model, j.created)
		if err != nil {
			j.err = &sdk.Error{Result: abi.ServerError, Message: err.Error()}
		}
	}
}

func (j *jsonReader) Close() error { return j.body.Close() }

// Usage returns the answer's usage, once it has been read.
func (j *jsonReader) Usage() abi.Usage { return j.usage }

// streamReader relays Gemini's event stream translated into OpenAI
// chunks, each event as soon as it arrives (those already arrived in one
// Read). A malformed event or an error event ends the stream with a server
// error, after relaying an error event for the client in a Read of its
// own: hosts drop what comes with a failure.
type streamReader struct {
	*sdk.EventRelay // Read
	body            io.ReadCloser
	events          *sdk.SSEScanner
	t               *StreamTranslator
	failed          error // the failure that ends the stream, once relayed
}

func newStreamReader(body io.ReadCloser, t *StreamTranslator) *streamReader {
	s := &streamReader{body: body, events: sdk.NewSSEScanner(body), t: t}
	s.EventRelay = sdk.NewEventRelay(s.events, s.step)
	return s
}

// step consumes one event and returns its translation (nothing for a
// comment or keep-alive), or ends the stream.
func (s *streamReader) step() ([]byte, error) {
	if s.failed != nil {
		return nil, s.failed
	}
	if !s.events.Next() {
		if err := s.events.Err(); err != nil {
			return nil, fmt.Errorf("gemini: read stream: %w", err)
		}
		return s.t.End(), io.EOF
	}
	if len(s.events.Data()) == 0 {
		return nil, nil
	}
	out, err := s.t.Event(s.events.Data())
	if err != nil {
		s.failed = &sdk.Error{Result: abi.ServerError, Message: err.Error()}
		if len(out) == 0 {
			return nil, s.failed
		}
	}
	return out, nil
}

func (s *streamReader) Close() error { return s.body.Close() }

// Interface guards
var (
	_ io.ReadCloser = (*jsonReader)(nil)
	_ io.ReadCloser = (*streamReader)(nil)
)
