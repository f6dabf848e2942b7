package translate

import (
	"bytes"
	"strings"
	"testing"
)

// events splits a server-sent event stream into (event, data) pairs; it
// is enough for the streams the translators write.
func events(stream []byte) [][2]string {
	var out [][2]string
	for _, block := range strings.Split(string(stream), "\n\n") {
		var name, data string
		for _, line := range strings.Split(block, "\n") {
			if v, ok := strings.CutPrefix(line, "event: "); ok {
				name = v
			}
			if v, ok := strings.CutPrefix(line, "data: "); ok {
				data = v
			}
		}
		if data != "" {
			out = append(out, [2]string{name, data})
		}
	}
	return out
}

// pipe feeds every event of in through s and returns what it wrote.
func pipe(t *testing.T, s Stream, in []byte) []byte {
	t.Helper()
	var out []byte
	for _, e := range events(in) {
		b, err := s.Event(e[0], []byte(e[1]))
		if err != nil {
			t.Fatalf("event %s: %v", e[1], err)
		}
		out = append(out, b...)
	}
	b, err := s.End()
	if err != nil {
		t.Fatal(err)
	}
	return append(out, b...)
}

// TestStreamRoundTrip translates a Messages stream (text, then two tool
// calls) to chat completion chunks and back: every event comes back as it
// was, usage included.
func TestStreamRoundTrip(t *testing.T) {
	usage := `"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}`
	original := ev("message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"stop_sequence":null,`+usage+`}}`) +
		ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`) +
		ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking <both> & more."}}`) +
		ev("content_block_stop", `{"type":"content_block_stop","index":0}`) +
		ev("content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}`) +
		ev("content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}`) +
		ev("content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Paris\"}"}}`) +
		ev("content_block_stop", `{"type":"content_block_stop","index":1}`) +
		ev("content_block_start", `{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"now","input":{}}}`) +
		ev("content_block_stop", `{"type":"content_block_stop","index":2}`) +
		ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":5,"output_tokens":30}}`) +
		ev("message_stop", `{"type":"message_stop"}`)

	toOpenAI := NewOpenAIToAnthropic()
	if _, err := toOpenAI.RequestBody([]byte(`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]}`)); err != nil {
		t.Fatal(err)
	}
	chunks := pipe(t, toOpenAI.ResponseStream(1), []byte(original))
	back := pipe(t, NewAnthropicToOpenAI().ResponseStream(), chunks)
	if !bytes.Equal(back, []byte(original)) {
		t.Errorf("round trip:\n got  %s\n want %s\n via  %s", back, original, chunks)
	}
}

// TestResponseRoundTrip translates an answer and a request there and back:
// both come back as they were.
func TestResponseRoundTrip(t *testing.T) {
	message := `{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[{"type":"text","text":"Here."},` +
		`{"type":"tool_use","id":"toolu_1","name":"f","input":{"a":[1,2]}}],"stop_reason":"tool_use","stop_sequence":null,` +
		`"usage":{"input_tokens":7,"cache_creation_input_tokens":0,"cache_read_input_tokens":3,"output_tokens":9}}`
	completion, err := NewOpenAIToAnthropic().ResponseBody([]byte(message), 1)
	if err != nil {
		t.Fatal(err)
	}
	back, err := NewAnthropicToOpenAI().ResponseBody(completion)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON(t, back, message)

	request := `{"model":"m","messages":[{"role":"system","content":"S"},{"role":"user","content":"Hi"},` +
		`{"role":"assistant","content":"Calling.","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},` +
		`{"role":"tool","content":"done","tool_call_id":"c1"}],"max_tokens":10,"stop":["X"],"temperature":0.5,"stream":true,` +
		`"stream_options":{"include_usage":true},"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"auto","user":"u"}`
	messages, err := NewOpenAIToAnthropic().RequestBody([]byte(request))
	if err != nil {
		t.Fatal(err)
	}
	again, err := NewAnthropicToOpenAI().RequestBody(messages)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON(t, again, request)
}
