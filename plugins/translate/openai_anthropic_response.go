package translate

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"
)

// ResponseBody translates a Messages answer into a chat completion: text
// blocks become the message's content, tool_use blocks its tool_calls
// (input as JSON-encoded arguments), stop_reason the finish_reason, and
// the usage OpenAI's (cache reads and writes count in prompt_tokens, cache
// reads as cached_tokens). The message id is kept. created, in unix
// seconds, is the completion's "created": Anthropic's answers carry no
// time (adapters take the answer's Date header).
func (t *OpenAIToAnthropic) ResponseBody(raw []byte, created int64) ([]byte, error) {
	if !IsObject(raw) {
		return nil, errors.New("translate: the Messages answer is not a JSON object")
	}
	doc := gjson.ParseBytes(raw)
	msg := openAIMessage{Role: "assistant"}
	var text strings.Builder
	hasText := false
	err := items(doc.Get("content"), func(i int, block gjson.Result) error {
		switch typ := block.Get("type").Str; typ {
		case "text":
			text.WriteString(block.Get("text").Str)
			hasText = true
		case "tool_use":
			msg.ToolCalls = append(msg.ToolCalls, openAIToolCall{ID: block.Get("id").Str, Type: "function",
				Function: openAIFunction{Name: block.Get("name").Str, Arguments: compactJSON(block.Get("input"))}})
		default:
			return fmt.Errorf("translate: content[%d]: block type %s has no OpenAI equivalent", i, quote(typ))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if hasText {
		msg.Content = text.String()
	}
	finish, err := finishReason(doc.Get("stop_reason"))
	if err != nil {
		return nil, err
	}
	usage := openAIUsageOf(anthropicUsageFrom(doc.Get("usage")))
	return marshal(openAIResponse{
		ID:      doc.Get("id").Str,
		Object:  "chat.completion",
		Created: created,
		Model:   doc.Get("model").Str,
		Choices: []openAIChoice{{Message: &msg, FinishReason: finish}},
		Usage:   &usage,
	})
}

// ResponseError translates a Messages error answer with HTTP status into
// OpenAI's error body. The error's type is kept; types OpenAI knows by
// another code get it (rate_limit_error: rate_limit_exceeded …). A body
// that is not Anthropic's error shape is described by its status.
func (t *OpenAIToAnthropic) ResponseError(status int, raw []byte) []byte {
	typ, msg := gjson.GetBytes(raw, "error.type").Str, gjson.GetBytes(raw, "error.message").Str
	if typ == "" {
		typ = AnthropicErrorType(status)
	}
	if msg == "" {
		msg = fmt.Sprintf("the provider answered %d %s", status, http.StatusText(status))
	}
	return openAIErrorBody(msg, typ, "", openAIErrorCodes[typ])
}

// RequestError returns the body of the 400 answer an OpenAI client gets
// when [OpenAIToAnthropic.RequestBody] refused its request: an
// invalid_request_error with code unsupported_parameter and the field as
// "param".
func (t *OpenAIToAnthropic) RequestError(err error) []byte {
	fe := asFieldError(err)
	return openAIErrorBody(fe.Message()+" (the provider chosen speaks Anthropic's Messages API)",
		"invalid_request_error", fe.Field, "unsupported_parameter")
}

// openAIErrorBody writes {"error":{"message","type","param","code"}}; an
// empty param or code is null.
func openAIErrorBody(msg, typ, param, code string) []byte {
	e := openAIError{Error: openAIErrorDetail{Message: msg, Type: typ}}
	if param != "" {
		e.Error.Param = &param
	}
	if code != "" {
		e.Error.Code = &code
	}
	b, _ := marshal(e) // strings only: cannot fail
	return b
}

// finishReason translates a stop_reason; null stays null.
func finishReason(v gjson.Result) (*string, error) {
	if !isSet(v) {
		return nil, nil
	}
	r, ok := finishReasons[v.Str]
	if !ok {
		return nil, fmt.Errorf("translate: stop_reason %s has no OpenAI equivalent", quote(v.Str))
	}
	return &r, nil
}

// anthropicUsageFrom reads a Messages usage object.
func anthropicUsageFrom(u gjson.Result) anthropicUsage {
	return anthropicUsage{
		InputTokens:              u.Get("input_tokens").Int(),
		CacheCreationInputTokens: u.Get("cache_creation_input_tokens").Int(),
		CacheReadInputTokens:     u.Get("cache_read_input_tokens").Int(),
		OutputTokens:             u.Get("output_tokens").Int(),
	}
}

// compactJSON returns v's JSON text compacted ("{}" for a missing value),
// for tool call arguments.
func compactJSON(v gjson.Result) string {
	if !v.Exists() {
		return "{}"
	}
	if c, ok := compactObject(v.Raw); ok {
		return string(c)
	}
	return v.Raw
}
