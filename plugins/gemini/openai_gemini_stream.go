package gemini

import (
	"encoding/json"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// StreamTranslator turns Gemini's streamed answer (streamGenerateContent
// with alt=sse: one generateContent answer per event) into OpenAI chat
// completion chunks, event by event. It holds what the chunks share (id,
// model, the roles sent, the calls numbered) and the latest usage. It is a
// pure state machine on bytes, not safe for concurrent use.
type StreamTranslator struct {
	model        string
	created      int64
	includeUsage bool

	id      string
	started map[int64]bool  // candidates whose first chunk (with the role) went out
	calls   map[int64]int64 // function calls sent so far, per candidate
	usage   *chatUsage
	u       abi.Usage
}

// NewStreamTranslator returns a translator for a stream of model, stamped
// created (Unix seconds); includeUsage adds the final usage chunk
// (stream_options.include_usage).
func NewStreamTranslator(model string, created int64, includeUsage bool) *StreamTranslator {
	return &StreamTranslator{model: model, created: created, includeUsage: includeUsage,
		started: map[int64]bool{}, calls: map[int64]int64{}}
}

// Event translates one event's data into the server-sent events to relay:
// a chunk per candidate with its new text and calls (the first also with
// the role), and one with its finish reason once it has one. An error
// event becomes an OpenAI error event, returned with a [*FieldError]
// whose Field is "error"; a part with no OpenAI equivalent is a
// [*FieldError] too.
func (t *StreamTranslator) Event(data []byte) ([]byte, error) {
	if !translate.IsObject(data) {
		return nil, refuse("", "a stream event is not a JSON object")
	}
	doc := gjson.ParseBytes(data)
	if e := doc.Get("error"); e.Exists() {
		b, _ := json.Marshal(map[string]any{"error": openAIError(e, abi.ServerError)})
		return sse(b), refuse("error", "%s", quote(e.Get("message").String()))
	}
	if t.id == "" {
		t.id = completionID(doc, t.created)
	}
	if usage, u := usageOf(doc); usage != nil {
		t.usage, t.u = usage, u
	}
	model := modelOf(doc, t.model)
	var out []byte
	for i, cand := range doc.Get("candidates").Array() {
		index := cand.Get("index").Int()
		text, calls, err := candidateParts(cand, "candidates["+strconv.Itoa(i)+"]", index, t.calls[index])
		if err != nil {
			return nil, err
		}
		t.calls[index] += int64(len(calls))
		delta := &chatDelta{Content: text, ToolCalls: calls}
		if !t.started[index] {
			t.started[index], delta.Role = true, "assistant"
		}
		if delta.Role != "" || text != nil || len(calls) > 0 {
			out = t.chunk(out, model, chatChoice{Index: index, Delta: delta})
		}
		if r := cand.Get("finishReason").String(); r != "" {
			reason := finishReason(r, t.calls[index] > 0)
			out = t.chunk(out, model, chatChoice{Index: index, Delta: &chatDelta{}, FinishReason: &reason})
		}
	}
	if !doc.Get("candidates").Exists() && doc.Get("promptFeedback.blockReason").Exists() {
		reason := "content_filter"
		out = t.chunk(out, model, chatChoice{Delta: &chatDelta{Role: "assistant"}, FinishReason: &reason})
	}
	return out, nil
}

// End returns the stream's closing events: the usage chunk, when the
// client asked for it, and "data: [DONE]".
func (t *StreamTranslator) End() []byte {
	var out []byte
	if t.includeUsage && t.usage != nil {
		b, _ := json.Marshal(chatCompletion{ID: t.id, Object: "chat.completion.chunk", Created: t.created,
			Model: t.model, Choices: []chatChoice{}, Usage: t.usage})
		out = sse(b)
	}
	return append(out, "data: [DONE]\n\n"...)
}

// Usage returns the usage of the latest event that reported one (Gemini's
// counts are cumulative).
func (t *StreamTranslator) Usage() abi.Usage { return t.u }

// chunk appends one chunk event with one choice to out.
func (t *StreamTranslator) chunk(out []byte, model string, c chatChoice) []byte {
	b, _ := json.Marshal(chatCompletion{ID: t.id, Object: "chat.completion.chunk", Created: t.created,
		Model: model, Choices: []chatChoice{c}})
	return append(out, sse(b)...)
}

// sse frames data as one server-sent event.
func sse(data []byte) []byte {
	out := make([]byte, 0, len(data)+8)
	out = append(out, "data: "...)
	out = append(out, data...)
	return append(out, "\n\n"...)
}
