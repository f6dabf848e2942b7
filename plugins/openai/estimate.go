package openai

import (
	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/plugins/tokenize"
)

// estimateTokens estimates the input tokens of a request body for
// endpoint: with OpenAI's tokenizer for OpenAI models (model, or else the
// body's "model"), approximately for any other (see package tokenize).
func estimateTokens(endpoint string, body []byte, model string) (int64, error) {
	if model == "" {
		model = gjson.GetBytes(body, "model").String()
	}
	return tokenize.Request(tokenize.ForModel(model), endpoint, body)
}
