package translate

import (
	"errors"
	"strings"
	"testing"
)

// TestStreamStaysBroken: once an event breaks a stream — it is malformed,
// cannot be translated, or is an error event — nothing after it is
// translated, so the client never gets a clean ending (message_stop,
// "[DONE]") after a failure.
func TestStreamStaysBroken(t *testing.T) {
	openAIText := oaChunk(`{"index":0,"delta":{"content":"Hi"},"finish_reason":null}`)
	openAIStop := oaChunk(`{"index":0,"delta":{},"finish_reason":"stop"}`)
	anthropicStart := `{"type":"message_start","message":{"id":"msg_01","model":"m","usage":{"input_tokens":1}}}`
	anthropicText := `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}`
	anthropicDelta := `{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}`
	anthropicStop := `{"type":"message_stop"}`
	for _, tc := range []struct {
		name      string
		stream    Stream
		breaking  string // the event that breaks the stream
		errorSent bool   // the breaking event is relayed as an error event
		before    []string
		after     []string
	}{
		{"to Anthropic: malformed chunk", NewAnthropicToOpenAI().ResponseStream(), `{"choices":[{"delta":`, false,
			[]string{openAIText}, []string{openAIText, openAIStop, "", "[DONE]"}},
		{"to Anthropic: untranslatable chunk", NewAnthropicToOpenAI().ResponseStream(), oaChunk(`{"index":1,"delta":{"content":"x"}}`), false,
			[]string{openAIText}, []string{openAIStop, "[DONE]"}},
		{"to Anthropic: error chunk", NewAnthropicToOpenAI().ResponseStream(), `{"error":{"message":"boom"}}`, true,
			[]string{openAIText}, []string{openAIText, openAIStop, "[DONE]"}},
		{"to OpenAI: malformed event", NewOpenAIToAnthropic().ResponseStream(1), `{"type":"content_block_delta",`, false,
			[]string{anthropicStart, anthropicText}, []string{anthropicText, anthropicDelta, "", anthropicStop}},
		{"to OpenAI: too deep", NewOpenAIToAnthropic().ResponseStream(1), `{"type":"x","a":` + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1) + `}`, false,
			[]string{anthropicStart}, []string{anthropicDelta, anthropicStop}},
		{"to OpenAI: error event", NewOpenAIToAnthropic().ResponseStream(1), `{"type":"error","error":{"type":"api_error","message":"boom"}}`, true,
			[]string{anthropicStart, anthropicText}, []string{anthropicText, anthropicDelta, anthropicStop}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, data := range tc.before {
				if _, err := tc.stream.Event("", []byte(data)); err != nil {
					t.Fatalf("before the break: %v", err)
				}
			}
			out, err := tc.stream.Event("", []byte(tc.breaking))
			if tc.errorSent != (err == nil && strings.Contains(string(out), "error")) || !tc.errorSent && (err == nil || len(out) > 0) {
				t.Fatalf("the breaking event gave %q, %v", out, err)
			}
			for _, data := range tc.after {
				if out, err := tc.stream.Event("", []byte(data)); len(out) > 0 || !errors.Is(err, ErrStreamBroken) {
					t.Errorf("after the break, %q gave %q, %v; want nothing and ErrStreamBroken", data, out, err)
				}
			}
			if out, err := tc.stream.End(); len(out) > 0 || !errors.Is(err, ErrStreamBroken) {
				t.Errorf("End = %q, %v; want nothing and ErrStreamBroken", out, err)
			}
		})
	}
}
