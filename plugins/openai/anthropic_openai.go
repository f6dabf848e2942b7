package openai

import (
	"bytes"
	"fmt"
	"io"
	"net/http"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// A body in Anthropic's Messages format ([sdk.FormatAnthropic], endpoint
// [sdk.EndpointMessages]) is translated to a chat completion (package
// translate), and the answer back: its error body, its JSON, or its
// stream event by event. The translated request always asks for the
// stream's usage chunk, which the translation turns into the usage of
// message_delta.

// isMessages reports whether the request's body is in Anthropic's format;
// an empty format is the endpoint's.
func isMessages(req *sdk.Request) bool {
	return req.Format == sdk.FormatAnthropic || req.Format == "" && req.Endpoint == sdk.EndpointMessages
}

// fromMessages translates a Messages body into a chat completion body. It
// returns the translator for the answer, or the 400 answer refusing a
// body the translation cannot carry (the provider is then not called).
func fromMessages(body []byte) (*translate.AnthropicToOpenAI, []byte, *sdk.Response) {
	tr := translate.NewAnthropicToOpenAI()
	out, err := tr.RequestBody(body)
	if err != nil {
		return nil, nil, &sdk.Response{
			Status: http.StatusBadRequest,
			Header: http.Header{"Content-Type": {"application/json"}},
			Result: abi.BadRequest,
			Body:   sdk.NewBody(io.NopCloser(bytes.NewReader(tr.RequestError(err))), nil),
		}
	}
	return tr, out, nil
}

// messagesReader reads a whole chat completion, takes its usage, and
// serves it translated into a Messages answer. An answer that is not JSON,
// or cannot be translated, ends with a server error instead of io.EOF.
type messagesReader struct {
	body io.ReadCloser
	tr   *translate.AnthropicToOpenAI

	loaded bool
	out    []byte // the unsent rest of the translated answer
	err    error  // what Read returns once out is drained
	usage  abi.Usage
}

func newMessagesReader(body io.ReadCloser, tr *translate.AnthropicToOpenAI) *messagesReader {
	return &messagesReader{body: body, tr: tr}
}

func (m *messagesReader) Read(p []byte) (int, error) {
	if !m.loaded {
		m.loaded = true
		m.out, m.err = m.load()
	}
	n := copy(p, m.out)
	m.out = m.out[n:]
	if len(m.out) == 0 {
		return n, m.err // the last bytes come with the end
	}
	return n, nil
}

// load reads and translates the answer.
func (m *messagesReader) load() ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(m.body, maxJSONBody+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("openai: read answer: %w", err)
	case len(b) > maxJSONBody:
		return nil, &sdk.Error{Result: abi.ServerError, Message: fmt.Sprintf("openai: answer larger than %d bytes", maxJSONBody)}
	case !translate.Valid(b):
		return nil, &sdk.Error{Result: abi.ServerError, Message: "openai: malformed JSON answer"}
	}
	m.usage, _ = usageOf(b)
	if b, err = m.tr.ResponseBody(b); err != nil {
		return nil, &sdk.Error{Result: abi.ServerError, Message: "openai: " + err.Error()}
	}
	return b, io.EOF
}

func (m *messagesReader) Close() error { return m.body.Close() }

// Usage returns the answer's usage, once it has been read.
func (m *messagesReader) Usage() abi.Usage { return m.usage }

// Interface guards
var _ io.ReadCloser = (*messagesReader)(nil)
