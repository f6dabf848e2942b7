package openai

import (
	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// Token estimation is an approximation until a real tokenizer arrives:
// one token per four bytes of text, rounded up, plus OpenAI's documented
// chat framing (3 tokens per message, 3 to prime the reply). It
// overestimates code and underestimates CJK text by up to about 2x.
const (
	bytesPerToken      = 4
	tokensPerMessage   = 3
	tokensReplyPriming = 3
	// tokensPerImage is the cost of one image part: OpenAI's low-detail
	// price, as the size is unknown here.
	tokensPerImage = 85
)

// estimateTokens estimates the input tokens of a request body for endpoint:
// the messages (and tool definitions) of a chat, the prompts of a
// completion, the inputs of an embedding (token arrays count one per id).
func estimateTokens(endpoint string, body []byte) (int64, error) {
	if !gjson.ValidBytes(body) || !gjson.ParseBytes(body).IsObject() {
		return 0, errNotObject
	}
	doc := gjson.ParseBytes(body)
	switch endpoint {
	case sdk.EndpointChatCompletions:
		n := int64(tokensReplyPriming)
		doc.Get("messages").ForEach(func(_, m gjson.Result) bool {
			n += tokensPerMessage + contentTokens(m.Get("content"))
			n += textTokens(m.Get("name").String()) + textTokens(m.Get("tool_calls").Raw)
			return true
		})
		return n + textTokens(doc.Get("tools").Raw), nil
	case sdk.EndpointCompletions:
		return inputTokens(doc.Get("prompt")), nil
	case sdk.EndpointEmbeddings:
		return inputTokens(doc.Get("input")), nil
	}
	return 0, errEndpoint(endpoint)
}

// contentTokens estimates a message's content: a string, or parts of
// type text (by their text) and image (a fixed cost).
func contentTokens(c gjson.Result) int64 {
	if !c.IsArray() {
		return textTokens(c.String())
	}
	var n int64
	c.ForEach(func(_, part gjson.Result) bool {
		if part.Get("type").String() == "image_url" {
			n += tokensPerImage
		} else {
			n += textTokens(part.Get("text").String())
		}
		return true
	})
	return n
}

// inputTokens estimates a prompt or input: a string, an array of token
// ids, or an array of either.
func inputTokens(in gjson.Result) int64 {
	switch {
	case in.Type == gjson.String:
		return textTokens(in.String())
	case in.Type == gjson.Number:
		return 1
	case in.IsArray():
		var n int64
		in.ForEach(func(_, item gjson.Result) bool {
			n += inputTokens(item)
			return true
		})
		return n
	}
	return 0
}

// textTokens estimates a text: one token per four bytes, rounded up.
func textTokens(s string) int64 {
	return (int64(len(s)) + bytesPerToken - 1) / bytesPerToken
}
