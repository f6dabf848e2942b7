package openai

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

func TestCheckRequestFormats(t *testing.T) {
	for _, tc := range []struct {
		endpoint, format string
		ok               bool
	}{
		{sdk.EndpointChatCompletions, "", true},
		{sdk.EndpointEmbeddings, sdk.FormatOpenAI, true},
		{sdk.EndpointMessages, sdk.FormatAnthropic, true},
		{sdk.EndpointMessages, "", true},
		{sdk.EndpointChatCompletions, sdk.FormatAnthropic, false},
		{sdk.EndpointMessages, sdk.FormatOpenAI, false},
		{sdk.EndpointChatCompletions, "gemini", false},
	} {
		if err := checkRequest(&sdk.Request{Endpoint: tc.endpoint, Format: tc.format}); (err == nil) != tc.ok {
			t.Errorf("checkRequest(%s, %q) = %v; want ok=%v", tc.endpoint, tc.format, err, tc.ok)
		}
	}
}

// TestEstimateMessages: a Messages body is estimated as the chat
// completion it translates to.
func TestEstimateMessages(t *testing.T) {
	a := New(Config{})
	messages := `{"model":"gpt-4o-mini","max_tokens":10,"system":"You are a helpful assistant.","messages":[{"role":"user","content":"Hello there, how are you?"}]}`
	chat := `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"Hello there, how are you?"}]}`
	got, err := a.EstimateTokens(t.Context(), &sdk.Request{Endpoint: sdk.EndpointMessages, Format: sdk.FormatAnthropic, Body: []byte(messages)})
	want, _ := a.EstimateTokens(t.Context(), &sdk.Request{Endpoint: sdk.EndpointChatCompletions, Body: []byte(chat)})
	if err != nil || got != want || got == 0 {
		t.Errorf("EstimateTokens = %d, %v; want %d", got, err, want)
	}
	if _, err := a.EstimateTokens(t.Context(), &sdk.Request{Endpoint: sdk.EndpointMessages, Format: sdk.FormatAnthropic,
		Body: []byte(`{"top_k":1}`)}); sdk.ClassifyError(err) != abi.BadRequest {
		t.Errorf("EstimateTokens of an untranslatable body: %v; want a bad request", err)
	}
}

func TestMessagesReader(t *testing.T) {
	body := `{"id":"c1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":9,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4}}}`
	r := newMessagesReader(io.NopCloser(iotest.HalfReader(strings.NewReader(body))), translate.NewAnthropicToOpenAI())
	got, err := io.ReadAll(iotest.OneByteReader(r))
	want := `{"id":"c1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn",` +
		`"stop_sequence":null,"usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":4,"output_tokens":2}}`
	if string(got) != want || err != nil || r.Usage() != (abi.Usage{InputTokens: 9, CachedInputTokens: 4, OutputTokens: 2}) {
		t.Errorf("read %s, %v, usage %+v", got, err, r.Usage())
	}
	for _, bad := range []string{body[:30], `{"choices":[]}`} {
		r := newMessagesReader(io.NopCloser(strings.NewReader(bad)), translate.NewAnthropicToOpenAI())
		if _, err := io.ReadAll(r); sdk.ClassifyError(err) != abi.ServerError {
			t.Errorf("answer %s: %v; want a server error", bad, err)
		}
	}
}

func TestStreamReaderConverts(t *testing.T) {
	// The chunks of stream_test.go carry no id or model.
	start := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"\"," +
		"\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":0}}}\n\n"
	text := "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
	stop := "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	end := "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}," +
		"\"usage\":{\"input_tokens\":1,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":8,\"output_tokens\":2}}\n\n" +
		"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	for _, tc := range []struct {
		name, in, want string
		err            bool
	}{
		{name: "whole", in: roleChunk + textChunk + strings.Replace(textChunk, `"delta":{"content":"Hi"}`, `"delta":{},"finish_reason":"stop"`, 1) + usageChunk + doneChunk,
			want: start + text + stop + end},
		{name: "cut short", in: roleChunk + textChunk, want: start + text, err: true},
		{name: "malformed, then nothing", in: roleChunk + malformed + textChunk + doneChunk, want: start, err: true},
		{name: "error event, then nothing", in: roleChunk + errorChunk + textChunk + doneChunk,
			want: start + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"overloaded\"}}\n\n", err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newStreamReader(io.NopCloser(iotest.OneByteReader(strings.NewReader(tc.in))), false)
			r.convert = translate.NewAnthropicToOpenAI().ResponseStream()
			got, err := relayed(r, 1)
			if got != tc.want {
				t.Errorf("relayed\n %q\nwant\n %q", got, tc.want)
			}
			if tc.err != (err != nil) || err != nil && sdk.ClassifyError(err) != abi.ServerError {
				t.Errorf("error %v, want a server error: %v", err, tc.err)
			}
		})
	}
}

// TestStreamReaderConvertsToTheEnd: the translation of "[DONE]" comes in
// the same Read as io.EOF, and a connection that breaks after "[DONE]"
// does not fail the answer.
func TestStreamReaderConvertsToTheEnd(t *testing.T) {
	for _, tail := range []io.Reader{strings.NewReader(""), iotest.ErrReader(io.ErrUnexpectedEOF)} {
		r := newStreamReader(io.NopCloser(io.MultiReader(strings.NewReader(roleChunk+usageChunk+doneChunk), tail)), false)
		r.convert = translate.NewAnthropicToOpenAI().ResponseStream()
		buf := make([]byte, 4096)
		var last string
		var err error
		for i := 0; i < 10 && err == nil; i++ {
			var n int
			n, err = r.Read(buf)
			last = string(buf[:n])
		}
		if err != io.EOF || !strings.HasPrefix(last, "event: message_delta\n") || !strings.HasSuffix(last, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n") {
			t.Errorf("last read %q, %v; want message_delta and message_stop with io.EOF", last, err)
		}
	}
}
