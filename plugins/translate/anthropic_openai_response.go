package translate

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"
)

// ResponseBody translates a chat completion into a Messages answer: the
// content (or refusal) becomes a text block, tool_calls tool_use blocks
// (arguments parsed back into the input object), finish_reason the
// stop_reason and the usage Anthropic's (cached_tokens as
// cache_read_input_tokens, outside input_tokens). The completion's id is
// kept. A completion with more than one choice cannot be translated.
func (t *AnthropicToOpenAI) ResponseBody(raw []byte) ([]byte, error) {
	if !IsObject(raw) {
		return nil, errors.New("translate: the chat completion is not a JSON object")
	}
	doc := gjson.ParseBytes(raw)
	choices := doc.Get("choices").Array()
	if len(choices) != 1 {
		return nil, fmt.Errorf("translate: a chat completion with %d choices has no Messages equivalent", len(choices))
	}
	msg := choices[0].Get("message")
	content := []any{}
	text, refusal := contentText(msg.Get("content")), msg.Get("refusal").Str
	if text+refusal != "" {
		content = append(content, anthropicText{Type: "text", Text: text + refusal})
	}
	err := items(msg.Get("tool_calls"), func(i int, call gjson.Result) error {
		use, err := toolUseOf(call)
		if err != nil {
			return fmt.Errorf("translate: choices[0].message.tool_calls[%d]: %w", i, err)
		}
		content = append(content, use)
		return nil
	})
	if err != nil {
		return nil, err
	}
	stop, err := stopReason(choices[0].Get("finish_reason"))
	if err != nil {
		return nil, err
	}
	if refusal != "" && stop != nil && *stop == "end_turn" {
		r := "refusal"
		stop = &r
	}
	return marshal(anthropicResponse{
		ID:         doc.Get("id").Str,
		Type:       "message",
		Role:       "assistant",
		Model:      doc.Get("model").Str,
		Content:    content,
		StopReason: stop,
		Usage:      anthropicUsageOfOpenAI(doc),
	})
}

// ResponseError translates a chat completion error answer with HTTP
// status into Anthropic's error body; the type follows from the status,
// as Anthropic's do.
func (t *AnthropicToOpenAI) ResponseError(status int, raw []byte) []byte {
	msg := gjson.GetBytes(raw, "error.message").Str
	if msg == "" {
		msg = fmt.Sprintf("the provider answered %d %s", status, http.StatusText(status))
	}
	return anthropicErrorBody(AnthropicErrorType(status), msg)
}

// RequestError returns the body of the 400 answer an Anthropic client gets
// when [AnthropicToOpenAI.RequestBody] refused its request: an
// invalid_request_error naming the field.
func (t *AnthropicToOpenAI) RequestError(err error) []byte {
	return anthropicErrorBody("invalid_request_error",
		asFieldError(err).Message()+" (the provider chosen speaks OpenAI's chat completions API)")
}

// anthropicErrorBody writes {"type":"error","error":{"type","message"}}.
func anthropicErrorBody(typ, msg string) []byte {
	b, _ := marshal(anthropicError{Type: "error", Error: anthropicErrorDetail{Type: typ, Message: msg}}) // strings only: cannot fail
	return b
}

// contentText reads a message's content: a string, or text parts joined.
func contentText(c gjson.Result) string {
	if !c.IsArray() {
		return c.Str
	}
	var b strings.Builder
	c.ForEach(func(_, part gjson.Result) bool {
		b.WriteString(part.Get("text").Str)
		return true
	})
	return b.String()
}

// toolUseOf translates a tool call; its arguments must be a JSON object
// (empty arguments are an empty one).
func toolUseOf(call gjson.Result) (anthropicToolUse, error) {
	args := call.Get("function.arguments").Str
	if strings.TrimSpace(args) == "" {
		args = "{}"
	}
	input, ok := compactObject(args)
	if !ok {
		return anthropicToolUse{}, errors.New("arguments are not a JSON object")
	}
	return anthropicToolUse{Type: "tool_use", ID: call.Get("id").Str, Name: call.Get("function.name").Str, Input: input}, nil
}

// stopReason translates a finish_reason; null stays null.
func stopReason(v gjson.Result) (*string, error) {
	if !isSet(v) {
		return nil, nil
	}
	r, ok := stopReasons[v.Str]
	if !ok {
		return nil, fmt.Errorf("translate: finish_reason %s has no Messages equivalent", quote(v.Str))
	}
	return &r, nil
}

// anthropicUsageOfOpenAI reads a completion's or chunk's usage (or Groq's
// x_groq.usage); zero if it has none.
func anthropicUsageOfOpenAI(doc gjson.Result) anthropicUsage {
	u := doc.Get("usage")
	if !u.IsObject() {
		u = doc.Get("x_groq.usage")
	}
	return anthropicUsageOf(u.Get("prompt_tokens").Int(), u.Get("prompt_tokens_details.cached_tokens").Int(),
		u.Get("completion_tokens").Int())
}
