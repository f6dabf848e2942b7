package translate

import "testing"

// ev is an Anthropic event as the client must get it.
func ev(name, data string) string { return "event: " + name + "\ndata: " + data + "\n\n" }

// oaChunk is an OpenAI chunk's data with the given choice.
func oaChunk(choice string) string {
	return `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[` + choice + `],"usage":null}`
}

var messageStart = ev("message_start", `{"type":"message_start","message":{"id":"chatcmpl-1","type":"message","role":"assistant","model":"gpt-4o-mini",`+
	`"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}`)

func TestAnthropicToOpenAIStream(t *testing.T) {
	usageChunk := step{"", `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[],` +
		`"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":4}}}`, ""}
	t.Run("text", func(t *testing.T) {
		runStream(t, NewAnthropicToOpenAI().ResponseStream(), []step{
			{"", oaChunk(`{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}`), messageStart},
			{"", oaChunk(`{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}`),
				ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`) +
					ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}`)},
			{"", "", ev("ping", `{"type":"ping"}`)},
			{"", oaChunk(`{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":null}`),
				ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}`)},
			{"", oaChunk(`{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}`),
				ev("content_block_stop", `{"type":"content_block_stop","index":0}`)},
			usageChunk,
			{"", "[DONE]", ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},`+
				`"usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":4,"output_tokens":2}}`) +
				ev("message_stop", `{"type":"message_stop"}`)},
		}, "", nil)
	})
	t.Run("tool calls after text", func(t *testing.T) {
		runStream(t, NewAnthropicToOpenAI().ResponseStream(), []step{
			{"", oaChunk(`{"index":0,"delta":{"role":"assistant","content":"Let me check."},"finish_reason":null}`), messageStart +
				ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`) +
				ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me check."}}`)},
			{"", oaChunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}`),
				ev("content_block_stop", `{"type":"content_block_stop","index":0}`) +
					ev("content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_1","name":"get_weather","input":{}}}`)},
			{"", oaChunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}`),
				ev("content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}`)},
			{"", oaChunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}},{"index":1,"id":"call_2","type":"function","function":{"name":"now","arguments":"{}"}}]},"finish_reason":null}`),
				ev("content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}`) +
					ev("content_block_stop", `{"type":"content_block_stop","index":1}`) +
					ev("content_block_start", `{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_2","name":"now","input":{}}}`) +
					ev("content_block_delta", `{"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}`)},
			{"", oaChunk(`{"index":0,"delta":{},"finish_reason":"tool_calls"}`), ev("content_block_stop", `{"type":"content_block_stop","index":2}`)},
			{"", "[DONE]", ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},`+
				`"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}`) +
				ev("message_stop", `{"type":"message_stop"}`)},
		}, "", nil)
	})
	t.Run("groq usage, no [DONE]: End closes", func(t *testing.T) {
		runStream(t, NewAnthropicToOpenAI().ResponseStream(), []step{
			{"", oaChunk(`{"index":0,"delta":{"content":"x"},"finish_reason":null}`), messageStart +
				ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`) +
				ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}`)},
			{"", `{"id":"chatcmpl-1","choices":[{"index":0,"delta":{},"finish_reason":"length"}],"x_groq":{"usage":{"prompt_tokens":3,"completion_tokens":1}}}`,
				ev("content_block_stop", `{"type":"content_block_stop","index":0}`)},
		}, ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},`+
			`"usage":{"input_tokens":3,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}`)+
			ev("message_stop", `{"type":"message_stop"}`), nil)
	})
	t.Run("error chunk", func(t *testing.T) {
		runStream(t, NewAnthropicToOpenAI().ResponseStream(), []step{
			{"", `{"error":{"message":"The server had an error","type":"server_error"}}`,
				ev("error", `{"type":"error","error":{"type":"api_error","message":"The server had an error"}}`)},
		}, "", ErrStreamBroken)
	})
	t.Run("cut before the finish", func(t *testing.T) {
		runStream(t, NewAnthropicToOpenAI().ResponseStream(), []step{
			{"", oaChunk(`{"index":0,"delta":{"role":"assistant"},"finish_reason":null}`), messageStart},
		}, "", ErrStreamCut)
	})
	for _, bad := range [][]string{
		{"[DONE]"},
		{`{"choices":[`},
		{oaChunk(`{"index":1,"delta":{"content":"x"}}`)},
		{oaChunk(`{"index":0,"delta":{},"finish_reason":"eaten"}`)},
		{oaChunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f"}}]}}`),
			oaChunk(`{"index":0,"delta":{"content":"x"}}`),
			oaChunk(`{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}`)},
	} {
		s := NewAnthropicToOpenAI().ResponseStream()
		var err error
		for _, data := range bad {
			if _, err = s.Event("", []byte(data)); err != nil {
				break
			}
		}
		if err == nil {
			t.Errorf("events %q translated without an error", bad)
		}
	}
}
