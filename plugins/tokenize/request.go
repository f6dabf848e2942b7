package tokenize

import (
	"errors"
	"fmt"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// ErrNotObject is returned for a request body that is not a JSON object.
var ErrNotObject = errors.New("tokenize: request body is not a JSON object")

// Request estimates the input tokens of an OpenAI-format request body for
// endpoint under enc: a chat's messages and tool definitions with their
// framing (see the package doc), a completion's prompts, an embedding's
// inputs. Prompts and inputs given as token ids count one token per id.
func Request(enc Encoding, endpoint string, body []byte) (int64, error) {
	if !translate.IsObject(body) {
		return 0, ErrNotObject
	}
	doc := gjson.ParseBytes(body)
	c := &counter{enc: enc, texts: make([]string, 0, 8)} // a chat's texts, most often
	switch endpoint {
	case sdk.EndpointChatCompletions:
		chat(c, doc)
	case sdk.EndpointCompletions:
		input(c, doc.Get("prompt"))
	case sdk.EndpointEmbeddings:
		input(c, doc.Get("input"))
	default:
		return 0, fmt.Errorf("tokenize: endpoint %q has no input to count", endpoint)
	}
	return c.total(), nil
}

// input counts a prompt or an embedding input: a string, a token id, or an
// array of either (or of arrays of ids).
func input(c *counter, in gjson.Result) {
	switch {
	case in.Type == gjson.String:
		c.text(in.Str)
	case in.Type == gjson.Number:
		c.add(1)
	case in.IsArray():
		in.ForEach(func(_, item gjson.Result) bool {
			input(c, item)
			return true
		})
	}
}
