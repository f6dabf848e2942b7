package translate

import (
	"errors"
	"testing"
)

// step is one upstream event and exactly what the client must get for it.
type step struct{ event, data, want string }

// runStream feeds s the steps one at a time and checks each output, then
// End's.
func runStream(t *testing.T, s Stream, steps []step, wantEnd string, wantEndErr error) {
	t.Helper()
	for i, st := range steps {
		got, err := s.Event(st.event, []byte(st.data))
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, st.data, err)
		}
		if string(got) != st.want {
			t.Errorf("step %d (%s):\n got  %q\n want %q", i, st.data, got, st.want)
		}
	}
	got, err := s.End()
	if string(got) != wantEnd || !errors.Is(err, wantEndErr) {
		t.Errorf("End = %q, %v; want %q, %v", got, err, wantEnd, wantEndErr)
	}
}

// chunk is an OpenAI chunk event of the stream under test.
func chunk(choice string) string {
	return `data: {"id":"msg_01","object":"chat.completion.chunk","created":1700000000,"model":"claude-haiku-4-5","choices":[` + choice + "]}\n\n"
}

func TestOpenAIToAnthropicStream(t *testing.T) {
	textStream := []step{
		{"message_start", `{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-haiku-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":8,"output_tokens":1}}}`,
			chunk(`{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}`)},
		{"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`, ""},
		{"ping", `{"type": "ping"}`, ": ping\n\n"},
		{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`,
			chunk(`{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}`)},
		{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}`,
			chunk(`{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":null}`)},
		{"content_block_stop", `{"type":"content_block_stop","index":0}`, ""},
		{"message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`,
			chunk(`{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}`)},
	}
	stop := step{"message_stop", `{"type":"message_stop"}`, "data: [DONE]\n\n"}
	stopWithUsage := step{"message_stop", `{"type":"message_stop"}`,
		`data: {"id":"msg_01","object":"chat.completion.chunk","created":1700000000,"model":"claude-haiku-4-5","choices":[],` +
			`"usage":{"prompt_tokens":33,"completion_tokens":15,"total_tokens":48,"prompt_tokens_details":{"cached_tokens":8}}}` + "\n\n" +
			"data: [DONE]\n\n"}

	t.Run("text", func(t *testing.T) {
		tr := NewOpenAIToAnthropic()
		if _, err := tr.RequestBody([]byte(`{"model":"m","stream":true,"messages":[]}`)); err != nil {
			t.Fatal(err)
		}
		runStream(t, tr.ResponseStream(1700000000), append(textStream, stop), "", nil)
	})
	t.Run("usage chunk when asked for", func(t *testing.T) {
		tr := NewOpenAIToAnthropic()
		if _, err := tr.RequestBody([]byte(`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]}`)); err != nil {
			t.Fatal(err)
		}
		runStream(t, tr.ResponseStream(1700000000), append(textStream, stopWithUsage), "", nil)
	})
	t.Run("tool use", func(t *testing.T) {
		tr := NewOpenAIToAnthropic()
		runStream(t, tr.ResponseStream(1700000000), []step{
			textStream[0],
			{"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":"Okay"}}`,
				chunk(`{"index":0,"delta":{"content":"Okay"},"logprobs":null,"finish_reason":null}`)},
			{"content_block_stop", `{"type":"content_block_stop","index":0}`, ""},
			{"content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}`,
				chunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}`)},
			{"content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}`, ""},
			{"content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Pa"}}`,
				chunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\": \"Pa"}}]},"logprobs":null,"finish_reason":null}`)},
			{"content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ris\"}"}}`,
				chunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ris\"}"}}]},"logprobs":null,"finish_reason":null}`)},
			{"content_block_stop", `{"type":"content_block_stop","index":1}`, ""},
			{"content_block_start", `{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"now","input":{}}}`,
				chunk(`{"index":0,"delta":{"tool_calls":[{"index":1,"id":"toolu_2","type":"function","function":{"name":"now","arguments":""}}]},"logprobs":null,"finish_reason":null}`)},
			{"content_block_stop", `{"type":"content_block_stop","index":2}`, ""},
			{"message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":40}}`,
				chunk(`{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}`)},
			stop,
		}, "", nil)
	})
	t.Run("error event", func(t *testing.T) {
		runStream(t, NewOpenAIToAnthropic().ResponseStream(1700000000), []step{
			textStream[0],
			{"error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
				`data: {"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":null}}` + "\n\n"},
		}, "", ErrStreamBroken)
	})
	t.Run("cut short", func(t *testing.T) {
		runStream(t, NewOpenAIToAnthropic().ResponseStream(1700000000), textStream[:4], "", ErrStreamCut)
	})
	t.Run("unknown events and comments are skipped", func(t *testing.T) {
		runStream(t, NewOpenAIToAnthropic().ResponseStream(1700000000), []step{
			{"", "", ""},
			{"future_event", `{"type":"future_event","x":1}`, ""},
		}, "", ErrStreamCut)
	})
	for _, bad := range []string{
		`{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}`,
		`{"type":"content_block_delta","index":5,"delta":{"type":"input_json_delta","partial_json":"{"}}`,
		`{"type":"message_delta","delta":{"stop_reason":"pause_forever"},"usage":{}}`,
		`{"type":"message_start",`,
	} {
		if _, err := NewOpenAIToAnthropic().ResponseStream(1).Event("", []byte(bad)); err == nil {
			t.Errorf("Event(%s) succeeded", bad)
		}
	}
}
