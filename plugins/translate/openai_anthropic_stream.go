package translate

import (
	"errors"
	"fmt"

	"github.com/tidwall/gjson"
)

// ResponseStream returns the [Stream] that translates a streamed Messages
// answer into chat completion chunks, event by event:
//
//   - message_start: the role chunk (id and model from the message);
//   - content_block_start of a tool_use block: a tool call chunk with its
//     id and name (tool calls are numbered in order of appearance);
//   - content_block_delta: a content chunk (text_delta) or a tool call
//     arguments chunk (input_json_delta);
//   - message_delta: the finish chunk;
//   - message_stop: the usage chunk (empty choices) if the client asked
//     for it with stream_options.include_usage, then "data: [DONE]";
//   - ping: an SSE comment, which keeps the connection alive;
//   - error: an OpenAI error chunk ({"error":{…}}).
//
// Usage is message_start's, updated by message_delta's cumulative counts.
// Unknown event types are skipped, as Anthropic's versioning policy asks.
// created, in unix seconds, is every chunk's "created" (see
// [OpenAIToAnthropic.ResponseBody]).
func (t *OpenAIToAnthropic) ResponseStream(created int64) Stream {
	return &toOpenAIStream{created: created, includeUsage: t.includeUsage, tools: map[int64]int{}}
}

// toOpenAIStream is [OpenAIToAnthropic.ResponseStream]'s Stream.
type toOpenAIStream struct {
	created      int64
	includeUsage bool
	id, model    string
	tools        map[int64]int // content block index → tool call index
	usage        anthropicUsage
	done         bool // message_stop was seen
	breakable         // an event broke the stream: nothing more is translated
}

// errMalformedEvent is an event whose data is not a JSON object.
var errMalformedEvent = errors.New("translate: malformed stream event")

func (s *toOpenAIStream) Event(_ string, data []byte) ([]byte, error) {
	return s.guard(data, s.event)
}

// event translates one event's data.
func (s *toOpenAIStream) event(data []byte) ([]byte, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if !Valid(data) {
		return nil, errMalformedEvent
	}
	doc := gjson.ParseBytes(data)
	switch typ := doc.Get("type").Str; typ {
	case "message_start":
		m := doc.Get("message")
		s.id, s.model, s.usage = m.Get("id").Str, m.Get("model").Str, anthropicUsageFrom(m.Get("usage"))
		empty := ""
		return s.chunk(openAIDelta{Role: "assistant", Content: &empty}, nil)
	case "content_block_start":
		return s.blockStart(doc.Get("index").Int(), doc.Get("content_block"))
	case "content_block_delta":
		return s.blockDelta(doc.Get("index").Int(), doc.Get("delta"))
	case "message_delta":
		finish, err := finishReason(doc.Get("delta.stop_reason"))
		if err != nil {
			return nil, err
		}
		s.updateUsage(doc.Get("usage"))
		return s.chunk(openAIDelta{}, finish)
	case "message_stop":
		s.done = true
		var out []byte
		if s.includeUsage {
			usage := openAIUsageOf(s.usage)
			b, err := marshal(openAIResponse{ID: s.id, Object: "chat.completion.chunk", Created: s.created,
				Model: s.model, Choices: []openAIChoice{}, Usage: &usage})
			if err != nil {
				return nil, err
			}
			out = appendEvent(out, "", b)
		}
		return appendEvent(out, "", []byte("[DONE]")), nil
	case "ping":
		return []byte(": ping\n\n"), nil
	case "error":
		s.broken = true
		typ, msg := doc.Get("error.type").Str, doc.Get("error.message").Str
		return appendEvent(nil, "", openAIErrorBody(msg, typ, "", openAIErrorCodes[typ])), nil
	}
	return nil, nil // content_block_stop says nothing OpenAI's chunks say
}

// blockStart translates content_block_start: a text block's initial text,
// if any, or a tool call's id and name.
func (s *toOpenAIStream) blockStart(index int64, block gjson.Result) ([]byte, error) {
	switch typ := block.Get("type").Str; typ {
	case "text":
		text := block.Get("text").Str
		if text == "" {
			return nil, nil
		}
		return s.chunk(openAIDelta{Content: &text}, nil)
	case "tool_use":
		i := len(s.tools)
		s.tools[index] = i
		return s.chunk(openAIDelta{ToolCalls: []openAIToolCall{{Index: &i, ID: block.Get("id").Str, Type: "function",
			Function: openAIFunction{Name: block.Get("name").Str}}}}, nil)
	default:
		return nil, fmt.Errorf("translate: content block type %s has no OpenAI equivalent", quote(typ))
	}
}

// blockDelta translates content_block_delta: text, or a piece of a tool
// call's arguments.
func (s *toOpenAIStream) blockDelta(index int64, delta gjson.Result) ([]byte, error) {
	switch typ := delta.Get("type").Str; typ {
	case "text_delta":
		text := delta.Get("text").Str
		return s.chunk(openAIDelta{Content: &text}, nil)
	case "input_json_delta":
		i, ok := s.tools[index]
		if !ok {
			return nil, fmt.Errorf("translate: input_json_delta for content block %d, which is not a tool_use", index)
		}
		args := delta.Get("partial_json").Str
		if args == "" {
			return nil, nil
		}
		return s.chunk(openAIDelta{ToolCalls: []openAIToolCall{{Index: &i, Function: openAIFunction{Arguments: args}}}}, nil)
	default:
		return nil, fmt.Errorf("translate: content delta type %s has no OpenAI equivalent", quote(typ))
	}
}

// updateUsage takes message_delta's usage: cumulative counts, each
// replacing the one before when present.
func (s *toOpenAIStream) updateUsage(u gjson.Result) {
	for _, f := range []struct {
		name string
		n    *int64
	}{
		{"input_tokens", &s.usage.InputTokens},
		{"cache_creation_input_tokens", &s.usage.CacheCreationInputTokens},
		{"cache_read_input_tokens", &s.usage.CacheReadInputTokens},
		{"output_tokens", &s.usage.OutputTokens},
	} {
		if v := u.Get(f.name); v.Type == gjson.Number {
			*f.n = v.Int()
		}
	}
}

// chunk writes one chat completion chunk event with a single choice.
func (s *toOpenAIStream) chunk(delta openAIDelta, finish *string) ([]byte, error) {
	b, err := marshal(openAIResponse{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model,
		Choices: []openAIChoice{{Delta: &delta, FinishReason: finish}}})
	if err != nil {
		return nil, err
	}
	return appendEvent(nil, "", b), nil
}

func (s *toOpenAIStream) End() ([]byte, error) {
	switch {
	case s.broken:
		return nil, ErrStreamBroken
	case !s.done:
		return nil, ErrStreamCut
	}
	return nil, nil
}

// Interface guards
var _ Stream = (*toOpenAIStream)(nil)
