package anthropic

import (
	"errors"
	"fmt"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// errNotObject is returned for a request body that is not a JSON object.
var errNotObject = errors.New("request body is not a JSON object")

// prepared is a Messages request body made ready to send upstream.
type prepared struct {
	// body is what to send: the given bytes, "model" aside.
	body []byte
	// stream reports that the request asks for a stream.
	stream bool
}

// prepareBody returns the upstream body for a Messages body: unchanged
// but for "model", when model is set and differs. Anthropic's streams
// always report usage, so nothing else needs asking. It never modifies
// body, so a retry can start from the same bytes.
func prepareBody(body []byte, model string) (prepared, error) {
	if !translate.IsObject(body) {
		return prepared{}, errNotObject
	}
	p := prepared{body: body, stream: gjson.GetBytes(body, "stream").Bool()}
	if model != "" && gjson.GetBytes(body, "model").String() != model {
		var err error
		if p.body, err = sjson.SetBytes(body, "model", model); err != nil {
			return prepared{}, fmt.Errorf("set model: %w", err)
		}
	}
	return p, nil
}
