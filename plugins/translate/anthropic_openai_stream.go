package translate

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/tidwall/gjson"
)

// ResponseStream returns the [Stream] that translates streamed chat
// completion chunks into Messages events, chunk by chunk:
//
//   - the first chunk: message_start (id and model from the chunk; usage
//     zero, as OpenAI reports it only at the end);
//   - content (or refusal) deltas: a text block, opened by
//     content_block_start at its first delta, then text_delta events;
//   - a tool call's first delta: content_block_start of a tool_use block
//     with its id and name, then input_json_delta events for its
//     arguments;
//   - finish_reason: content_block_stop of the open block;
//   - "data: [DONE]": message_delta with the stop_reason and the usage
//     (from the usage chunk, which the translated request asks for), then
//     message_stop;
//   - an error chunk: an error event;
//   - a comment (a keep-alive) after the first chunk: a ping event.
//
// Each content block is closed (content_block_stop) before the next one
// opens, as Anthropic's are; a chunk that goes back to a tool call after
// another block began cannot be translated.
func (t *AnthropicToOpenAI) ResponseStream() Stream {
	return &toAnthropicStream{tools: map[int64]int{}}
}

// toAnthropicStream is [AnthropicToOpenAI.ResponseStream]'s Stream.
type toAnthropicStream struct {
	started   bool
	done      bool
	breakable // an event broke the stream: nothing more is translated
	// open is the type of the open content block ("" if none), block its
	// index and next the index of the block to open next.
	open        string
	block, next int
	tools       map[int64]int // tool call index → content block index
	tool        int64         // the tool call of the open tool_use block
	finish      *string       // the stop_reason, once known
	usage       anthropicUsage
}

func (s *toAnthropicStream) Event(_ string, data []byte) ([]byte, error) {
	return s.guard(data, s.event)
}

// event translates one event's data.
func (s *toAnthropicStream) event(data []byte) ([]byte, error) {
	if len(data) == 0 { // a comment: a keep-alive, once the message has begun
		if !s.started || s.done {
			return nil, nil
		}
		return appendEvent(nil, "ping", []byte(`{"type":"ping"}`)), nil
	}
	if bytes.Equal(data, []byte("[DONE]")) {
		if !s.started || s.done {
			return nil, ErrStreamCut
		}
		return s.finishMessage(nil)
	}
	if !Valid(data) {
		return nil, errMalformedEvent
	}
	doc := gjson.ParseBytes(data)
	if e := doc.Get("error"); e.Exists() {
		s.broken = true
		return appendEvent(nil, "error", anthropicErrorBody("api_error", e.Get("message").Str)), nil
	}
	var out []byte
	var err error
	if !s.started {
		s.started = true
		if out, err = appendJSONEvent(out, "message_start", messageStartEvent{Type: "message_start", Message: anthropicResponse{
			ID: doc.Get("id").Str, Type: "message", Role: "assistant", Model: doc.Get("model").Str, Content: []any{}}}); err != nil {
			return nil, err
		}
	}
	if doc.Get("usage").IsObject() || doc.Get("x_groq.usage").IsObject() {
		s.usage = anthropicUsageOfOpenAI(doc)
	}
	choices := doc.Get("choices").Array()
	if len(choices) > 1 || len(choices) == 1 && choices[0].Get("index").Int() != 0 {
		return nil, fmt.Errorf("translate: a chunk of choice %d has no Messages equivalent", choices[len(choices)-1].Get("index").Int())
	}
	for _, c := range choices {
		delta := c.Get("delta")
		if text := delta.Get("content").Str + delta.Get("refusal").Str; text != "" {
			if out, err = s.text(out, text); err != nil {
				return nil, err
			}
		}
		err = items(delta.Get("tool_calls"), func(_ int, call gjson.Result) error {
			out, err = s.toolCall(out, call)
			return err
		})
		if err != nil {
			return nil, err
		}
		if fr := c.Get("finish_reason"); isSet(fr) {
			if s.finish, err = stopReason(fr); err != nil {
				return nil, err
			}
			if out, err = s.closeBlock(out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// text appends a text_delta, opening a text block first if need be.
func (s *toAnthropicStream) text(out []byte, text string) ([]byte, error) {
	var err error
	if s.open != "text" {
		if out, err = s.openBlock(out, "text", anthropicText{Type: "text"}); err != nil {
			return nil, err
		}
	}
	return appendJSONEvent(out, "content_block_delta", contentBlockDeltaEvent{Type: "content_block_delta", Index: s.block,
		Delta: textDelta{Type: "text_delta", Text: text}})
}

// toolCall appends a tool call delta: a new tool_use block for a call's
// first delta, then its arguments as input_json_delta.
func (s *toAnthropicStream) toolCall(out []byte, call gjson.Result) ([]byte, error) {
	i := call.Get("index").Int()
	var err error
	if _, seen := s.tools[i]; !seen {
		use := anthropicToolUse{Type: "tool_use", ID: call.Get("id").Str, Name: call.Get("function.name").Str, Input: json.RawMessage("{}")}
		if out, err = s.openBlock(out, "tool_use", use); err != nil {
			return nil, err
		}
		s.tools[i], s.tool = s.block, i
	} else if s.open != "tool_use" || s.tool != i {
		return nil, fmt.Errorf("translate: tool call %d goes on after another content block began, which Messages streams cannot express", i)
	}
	args := call.Get("function.arguments").Str
	if args == "" {
		return out, nil
	}
	return appendJSONEvent(out, "content_block_delta", contentBlockDeltaEvent{Type: "content_block_delta", Index: s.block,
		Delta: inputJSONDelta{Type: "input_json_delta", PartialJSON: args}})
}

// openBlock closes the open block and starts the next one.
func (s *toAnthropicStream) openBlock(out []byte, typ string, block any) ([]byte, error) {
	out, err := s.closeBlock(out)
	if err != nil {
		return nil, err
	}
	s.open, s.block = typ, s.next
	s.next++
	return appendJSONEvent(out, "content_block_start", contentBlockStartEvent{Type: "content_block_start", Index: s.block, ContentBlock: block})
}

// closeBlock appends content_block_stop for the open block, if any.
func (s *toAnthropicStream) closeBlock(out []byte) ([]byte, error) {
	if s.open == "" {
		return out, nil
	}
	s.open = ""
	return appendJSONEvent(out, "content_block_stop", contentBlockStopEvent{Type: "content_block_stop", Index: s.block})
}

// finishMessage appends the closing events: the open block's stop,
// message_delta with the stop reason and usage, message_stop.
func (s *toAnthropicStream) finishMessage(out []byte) ([]byte, error) {
	s.done = true
	out, err := s.closeBlock(out)
	if err != nil {
		return nil, err
	}
	if out, err = appendJSONEvent(out, "message_delta", messageDeltaEvent{Type: "message_delta",
		Delta: messageDelta{StopReason: s.finish}, Usage: s.usage}); err != nil {
		return nil, err
	}
	return appendJSONEvent(out, "message_stop", messageStopEvent{Type: "message_stop"})
}

// appendJSONEvent appends one event whose data is event in JSON.
func appendJSONEvent(out []byte, name string, event any) ([]byte, error) {
	b, err := marshal(event)
	if err != nil {
		return nil, err
	}
	return appendEvent(out, name, b), nil
}

// End closes a stream that stopped after its finish_reason without
// "data: [DONE]"; a stream cut before its finish_reason is [ErrStreamCut],
// a broken one [ErrStreamBroken].
func (s *toAnthropicStream) End() ([]byte, error) {
	switch {
	case s.broken:
		return nil, ErrStreamBroken
	case s.done:
		return nil, nil
	case s.started && s.finish != nil:
		return s.finishMessage(nil)
	}
	return nil, ErrStreamCut
}

// Interface guards
var _ Stream = (*toAnthropicStream)(nil)
