package gemini

import (
	"errors"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// Model listing bounds: bytes per page, pages per listing.
const (
	maxModelsBody = 16 << 20
	maxModelPages = 20
)

// errModels is returned for a model listing that is not Gemini's
// {"models":[{"name":"models/…"}]}.
var errModels = errors.New("malformed model listing")

// parseModels reads one page of Gemini's model listing: the models that
// support generateContent, by their name without "models/", and the next
// page's token.
func parseModels(body []byte) ([]sdk.Model, string, error) {
	list := gjson.GetBytes(body, "models")
	if !translate.Valid(body) || (list.Exists() && !list.IsArray()) {
		return nil, "", errModels
	}
	var models []sdk.Model
	for _, m := range list.Array() {
		name, ok := strings.CutPrefix(m.Get("name").String(), "models/")
		if !ok || name == "" {
			return nil, "", errModels
		}
		var methods []string
		for _, v := range m.Get("supportedGenerationMethods").Array() {
			methods = append(methods, v.String())
		}
		if slices.Contains(methods, "generateContent") {
			models = append(models, sdk.Model{ID: name, OwnedBy: "google"})
		}
	}
	return models, gjson.GetBytes(body, "nextPageToken").String(), nil
}

// errorMessage returns a Google error body's message, bounded; empty if
// there is none.
func errorMessage(body []byte) string {
	msg := gjson.GetBytes(body, "error.message").String()
	if len(msg) > 256 {
		msg = msg[:256] + "…"
	}
	return msg
}
