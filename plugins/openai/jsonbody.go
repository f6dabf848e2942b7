package openai

import (
	"fmt"
	"io"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// maxJSONBody bounds the copy of a JSON answer kept to read its usage at
// the end. Larger answers (huge embedding batches) pass through without
// usage.
const maxJSONBody = 64 << 20

// jsonReader relays a JSON answer unchanged, keeping a copy; at the end it
// reads the usage from the copy. An answer that is not valid JSON ends with
// a server error instead of io.EOF.
type jsonReader struct {
	body     io.ReadCloser
	copy     []byte
	overflow bool // the answer outgrew maxJSONBody: no usage
	usage    abi.Usage
}

func newJSONReader(body io.ReadCloser) *jsonReader { return &jsonReader{body: body} }

func (j *jsonReader) Read(p []byte) (int, error) {
	n, err := j.body.Read(p)
	if !j.overflow {
		if len(j.copy)+n > maxJSONBody {
			j.overflow, j.copy = true, nil
		} else {
			j.copy = append(j.copy, p[:n]...)
		}
	}
	switch {
	case err == io.EOF && !j.overflow:
		if !translate.Valid(j.copy) {
			return n, &sdk.Error{Result: abi.ServerError, Message: "openai: malformed JSON answer"}
		}
		j.usage, _ = usageOf(j.copy)
	case err != nil && err != io.EOF:
		err = fmt.Errorf("openai: read answer: %w", err)
	}
	return n, err
}

func (j *jsonReader) Close() error { return j.body.Close() }

// Usage returns the answer's usage, once it has been read to the end.
func (j *jsonReader) Usage() abi.Usage { return j.usage }

// Interface guards
var _ io.ReadCloser = (*jsonReader)(nil)
