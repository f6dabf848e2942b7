package anthropic

import (
	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// Token estimation is an approximation: Claude's tokenizer is not public,
// and the offline tokenizers Go has are OpenAI's (package tokenize). So
// text counts one token per four bytes, rounded up, and the rest by
// Anthropic's documented sizes.
const (
	bytesPerToken = 4
	// tokensPerImage: Anthropic prices an image at about width×height/750
	// tokens and scales larger ones down to about 1.15 megapixels, which
	// is about 1,600 tokens. The size is not read here: each image counts
	// as the largest.
	tokensPerImage = 1600
	// tokensPerDocument: a PDF page costs 1,500 to 3,000 tokens; the page
	// count is not read here, so a PDF counts as one page at the upper end.
	tokensPerDocument = 3000
	// Tools add a system prompt: 346 tokens with tool_choice auto or none,
	// 313 with any or tool (Anthropic's figures for the Claude 4 models).
	tokensToolsAuto   = 346
	tokensToolsForced = 313
)

// estimateTokens estimates the input tokens of a Messages request: the
// system prompt, every turn's blocks, and the tool definitions by their
// JSON size plus the tool-use system prompt.
func estimateTokens(body []byte) (int64, error) {
	if !translate.IsObject(body) {
		return 0, errNotObject
	}
	doc := gjson.ParseBytes(body)
	n := contentTokens(doc.Get("system"))
	doc.Get("messages").ForEach(func(_, m gjson.Result) bool {
		n += contentTokens(m.Get("content"))
		return true
	})
	if tools := doc.Get("tools"); tools.IsArray() && len(tools.Array()) > 0 {
		n += textTokens(tools.Raw)
		switch doc.Get("tool_choice.type").Str {
		case "any", "tool":
			n += tokensToolsForced
		default:
			n += tokensToolsAuto
		}
	}
	return n, nil
}

// contentTokens estimates a content: a string, or blocks.
func contentTokens(c gjson.Result) int64 {
	if !c.IsArray() {
		return textTokens(c.Str)
	}
	var n int64
	c.ForEach(func(_, b gjson.Result) bool {
		switch b.Get("type").Str {
		case "text":
			n += textTokens(b.Get("text").Str)
		case "image":
			n += tokensPerImage
		case "document":
			switch src := b.Get("source"); src.Get("type").Str {
			case "text":
				n += textTokens(src.Get("data").Str)
			case "content":
				n += contentTokens(src.Get("content"))
			default:
				n += tokensPerDocument
			}
		case "tool_use":
			n += textTokens(b.Get("name").Str) + textTokens(b.Get("input").Raw)
		case "tool_result":
			n += contentTokens(b.Get("content"))
		case "thinking":
			n += textTokens(b.Get("thinking").Str)
		default: // anything else by its JSON size
			n += textTokens(b.Raw)
		}
		return true
	})
	return n
}

// textTokens estimates a text: one token per four bytes, rounded up.
func textTokens(s string) int64 {
	return (int64(len(s)) + bytesPerToken - 1) / bytesPerToken
}
