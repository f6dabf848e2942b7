package openai

import (
	"errors"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// maxModelsBody bounds a model listing (OpenRouter's lists hundreds).
const maxModelsBody = 16 << 20

// errModels is returned for a model listing that is not OpenAI's
// {"data":[{"id":…}]}.
var errModels = errors.New("malformed model listing")

// parseModels reads an OpenAI model listing.
func parseModels(body []byte) ([]sdk.Model, error) {
	data := gjson.GetBytes(body, "data")
	if !translate.Valid(body) || !data.IsArray() {
		return nil, errModels
	}
	var models []sdk.Model
	var bad bool
	data.ForEach(func(_, m gjson.Result) bool {
		id := m.Get("id")
		if id.Type != gjson.String || id.String() == "" {
			bad = true
			return false
		}
		models = append(models, sdk.Model{ID: id.String(), OwnedBy: m.Get("owned_by").String()})
		return true
	})
	if bad {
		return nil, errModels
	}
	return models, nil
}

// errorMessage returns an OpenAI-style error body's message, bounded;
// empty if there is none.
func errorMessage(body []byte) string {
	msg := gjson.GetBytes(body, "error.message").String()
	if len(msg) > 256 {
		msg = msg[:256] + "…"
	}
	return msg
}
