package openai

import (
	"errors"
	"fmt"

	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// errNotObject is returned for a request body that is not a JSON object.
var errNotObject = errors.New("request body is not a JSON object")

// prepared is a client request body made ready to send upstream.
type prepared struct {
	// body is what to send: the client's bytes, edited only where needed.
	body []byte
	// stream reports that the client asked for a stream.
	stream bool
	// hideUsage reports that the adapter asked upstream for the stream's
	// usage chunk, which the client did not ask for and must not see.
	hideUsage bool
}

// prepareBody returns the upstream body for a client body. It changes only
// what it must, leaving every other byte as the client sent it: "model",
// when model is set and differs, and for streams that did not ask for it
// stream_options.include_usage, so that usage is always reported. It never
// modifies body, so a retry can start from the same bytes.
func prepareBody(body []byte, model string) (prepared, error) {
	if !translate.IsObject(body) {
		return prepared{}, errNotObject
	}
	p := prepared{body: body, stream: gjson.GetBytes(body, "stream").Bool()}
	var err error
	if model != "" && gjson.GetBytes(body, "model").String() != model {
		if p.body, err = sjson.SetBytes(p.body, "model", model); err != nil {
			return prepared{}, fmt.Errorf("set model: %w", err)
		}
	}
	if p.stream && !gjson.GetBytes(body, "stream_options.include_usage").Bool() {
		if p.body, err = sjson.SetBytes(p.body, "stream_options.include_usage", true); err != nil {
			return prepared{}, fmt.Errorf("set stream_options: %w", err)
		}
		p.hideUsage = true
	}
	return p, nil
}
