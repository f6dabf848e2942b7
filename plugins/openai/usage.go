package openai

import (
	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// usageOf reads the usage an OpenAI-style JSON document reports: its
// "usage" object, or Groq's "x_groq.usage" in stream chunks. ok is false
// when there is none (absent or null).
func usageOf(doc []byte) (u abi.Usage, ok bool) {
	v := gjson.GetBytes(doc, "usage")
	if !v.IsObject() {
		v = gjson.GetBytes(doc, "x_groq.usage")
	}
	return usageIn(v)
}

// usageIn reads a "usage" object; ok is false when v is not an object.
func usageIn(v gjson.Result) (u abi.Usage, ok bool) {
	if !v.IsObject() {
		return abi.Usage{}, false
	}
	return abi.Usage{
		InputTokens:       abi.Tokens(v.Get("prompt_tokens").Int()),
		CachedInputTokens: abi.Tokens(v.Get("prompt_tokens_details.cached_tokens").Int()),
		OutputTokens:      abi.Tokens(v.Get("completion_tokens").Int()),
	}, true
}
