package anthropic

import (
	"fmt"
	"io"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// maxJSONBody bounds a message answer the adapter reads; a message is a
// model's reply, far below it.
const maxJSONBody = 64 << 20

// jsonReader relays a message answer: it reads the whole answer at the
// first Read (a translation needs all of it, and a message arrives at
// once when generation ends), takes its usage, translates it if convert
// is set, and serves the result. An answer that is not a JSON object, or
// cannot be translated, ends with a server error instead of io.EOF.
type jsonReader struct {
	body    io.ReadCloser
	convert *translate.OpenAIToAnthropic // nil: relay as it is
	created int64                        // the translated answer's "created"

	loaded bool
	out    []byte // the unsent rest of the answer
	err    error  // what Read returns once out is drained
	usage  abi.Usage
}

func newJSONReader(body io.ReadCloser, convert *translate.OpenAIToAnthropic, created int64) *jsonReader {
	return &jsonReader{body: body, convert: convert, created: created}
}

func (j *jsonReader) Read(p []byte) (int, error) {
	if !j.loaded {
		j.loaded = true
		j.out, j.err = j.load()
	}
	n := copy(p, j.out)
	j.out = j.out[n:]
	if len(j.out) == 0 {
		return n, j.err // the last bytes come with the end, as streamReader's do
	}
	return n, nil
}

// load reads the answer and returns what the client gets.
func (j *jsonReader) load() ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(j.body, maxJSONBody+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("anthropic: read answer: %w", err)
	case len(b) > maxJSONBody:
		return nil, &sdk.Error{Result: abi.ServerError, Message: fmt.Sprintf("anthropic: answer larger than %d bytes", maxJSONBody)}
	case !translate.IsObject(b):
		return nil, &sdk.Error{Result: abi.ServerError, Message: "anthropic: malformed JSON answer"}
	}
	var u usage
	u.update(gjson.GetBytes(b, "usage"))
	j.usage = u.abi()
	if j.convert != nil {
		if b, err = j.convert.ResponseBody(b, j.created); err != nil {
			return nil, &sdk.Error{Result: abi.ServerError, Message: "anthropic: " + err.Error()}
		}
	}
	return b, io.EOF
}

func (j *jsonReader) Close() error { return j.body.Close() }

// Usage returns the answer's usage, once it has been read.
func (j *jsonReader) Usage() abi.Usage { return j.usage }

// Interface guards
var _ io.ReadCloser = (*jsonReader)(nil)
