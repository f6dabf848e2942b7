package gemini

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// finishReasons are OpenAI's finish reasons for Gemini's; any other
// (OTHER, MALFORMED_FUNCTION_CALL, a new one) is "stop".
var finishReasons = map[string]string{
	"STOP":               "stop",
	"MAX_TOKENS":         "length",
	"SAFETY":             "content_filter",
	"RECITATION":         "content_filter",
	"BLOCKLIST":          "content_filter",
	"PROHIBITED_CONTENT": "content_filter",
	"SPII":               "content_filter",
	"IMAGE_SAFETY":       "content_filter",
}

// finishReason returns OpenAI's finish reason for a candidate that ended
// with Gemini's reason; calls reports that it called tools.
func finishReason(reason string, calls bool) string {
	r, ok := finishReasons[reason]
	switch {
	case !ok:
		r = "stop"
	case r == "stop" && calls:
		r = "tool_calls"
	}
	return r
}

// ChatResponse translates a Gemini generateContent answer into an OpenAI
// chat completion, and returns the usage it reports. model names the model
// when the answer has no modelVersion; created (Unix seconds) stamps the
// completion, and its id is the answer's responseId. A prompt Gemini
// blocked is one choice that ended with "content_filter". An answer part
// with no OpenAI equivalent (generated images or files) is a [*FieldError].
func ChatResponse(body []byte, model string, created int64) ([]byte, abi.Usage, error) {
	if !translate.IsObject(body) {
		return nil, abi.Usage{}, refuse("", "the answer is not a JSON object")
	}
	doc := gjson.ParseBytes(body)
	out := chatCompletion{
		ID:      completionID(doc, created),
		Object:  "chat.completion",
		Created: created,
		Model:   modelOf(doc, model),
		Choices: []chatChoice{},
	}
	for i, cand := range doc.Get("candidates").Array() {
		field := "candidates[" + strconv.Itoa(i) + "]"
		index := cand.Get("index").Int()
		text, calls, err := candidateParts(cand, field, index, 0)
		if err != nil {
			return nil, abi.Usage{}, err
		}
		for k := range calls {
			calls[k].Index = nil // only stream deltas number their calls
		}
		reason := finishReason(cand.Get("finishReason").String(), len(calls) > 0)
		out.Choices = append(out.Choices, chatChoice{
			Index:        index,
			Message:      &chatMessage{Role: "assistant", Content: text, ToolCalls: calls},
			FinishReason: &reason,
		})
	}
	if len(out.Choices) == 0 && doc.Get("promptFeedback.blockReason").Exists() {
		reason := "content_filter"
		out.Choices = append(out.Choices, chatChoice{Message: &chatMessage{Role: "assistant"}, FinishReason: &reason})
	}
	usage, u := usageOf(doc)
	out.Usage = usage
	b, err := json.Marshal(out)
	if err != nil {
		return nil, abi.Usage{}, fmt.Errorf("gemini: encode answer: %w", err)
	}
	return b, u, nil
}

// completionID returns the OpenAI id of an answer: "chatcmpl-" and its
// responseId, or the time when it has none.
func completionID(doc gjson.Result, created int64) string {
	if id := doc.Get("responseId").String(); id != "" {
		return "chatcmpl-" + id
	}
	return "chatcmpl-gemini-" + strconv.FormatInt(created, 10)
}

// modelOf returns the answer's modelVersion, or model.
func modelOf(doc gjson.Result, model string) string {
	if v := doc.Get("modelVersion").String(); v != "" {
		return v
	}
	return model
}

// candidateParts translates a candidate's parts: its text (nil if none;
// thought summaries are left out) and its function calls, numbered from
// firstCall in the candidate. Calls without an id get "call_<candidate>_<n>".
func candidateParts(cand gjson.Result, field string, index, firstCall int64) (*string, []toolCall, error) {
	var text *string
	var calls []toolCall
	for j, p := range cand.Get("content.parts").Array() {
		f := field + ".content.parts[" + strconv.Itoa(j) + "]"
		switch {
		case p.Get("thought").Bool():
		case p.Get("text").Exists():
			s := p.Get("text").String()
			if text != nil {
				s = *text + s
			}
			text = &s
		case p.Get("functionCall").Exists():
			fc := p.Get("functionCall")
			n := firstCall + int64(len(calls))
			id := fc.Get("id").String()
			if id == "" {
				id = "call_" + strconv.FormatInt(index, 10) + "_" + strconv.FormatInt(n, 10)
			}
			args := fc.Get("args").Raw
			if args == "" {
				args = "{}"
			}
			calls = append(calls, toolCall{Index: &n, ID: id, Type: "function",
				Function: toolCallFunction{Name: fc.Get("name").String(), Arguments: string(compact(args))}})
		default:
			return nil, nil, refuse(f, "a part with no OpenAI chat equivalent (only text and function calls translate)")
		}
	}
	return text, calls, nil
}

// usageOf translates usageMetadata: prompt tokens (tool-use prompts
// included), completion tokens (thoughts included, as OpenAI counts
// reasoning), cached and reasoning tokens. It returns nil and zero when the
// answer has none.
func usageOf(doc gjson.Result) (*chatUsage, abi.Usage) {
	m := doc.Get("usageMetadata")
	if !m.IsObject() {
		return nil, abi.Usage{}
	}
	prompt := m.Get("promptTokenCount").Int() + m.Get("toolUsePromptTokenCount").Int()
	thoughts := m.Get("thoughtsTokenCount").Int()
	completion := m.Get("candidatesTokenCount").Int() + thoughts
	cached := m.Get("cachedContentTokenCount").Int()
	total := m.Get("totalTokenCount").Int()
	if total == 0 {
		total = prompt + completion
	}
	return &chatUsage{
			PromptTokens:            prompt,
			CompletionTokens:        completion,
			TotalTokens:             total,
			PromptTokensDetails:     &promptDetails{CachedTokens: cached},
			CompletionTokensDetails: &completionsDetails{ReasoningTokens: thoughts},
		}, abi.Usage{
			InputTokens:       abi.Tokens(prompt),
			CachedInputTokens: abi.Tokens(cached),
			OutputTokens:      abi.Tokens(completion),
		}
}
