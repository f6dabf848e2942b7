package translate_test

import (
	"errors"
	"fmt"

	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

func ExampleOpenAIToAnthropic() {
	t := translate.NewOpenAIToAnthropic()
	body, _ := t.RequestBody([]byte(`{"model":"claude-haiku-4-5","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]}`))
	fmt.Println(string(body))

	message := `{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5",` +
		`"content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","usage":{"input_tokens":12,"output_tokens":3}}`
	answer, _ := t.ResponseBody([]byte(message), 1700000000)
	fmt.Println(string(answer))

	_, err := t.RequestBody([]byte(`{"model":"claude-haiku-4-5","n":2,"messages":[]}`))
	var fe *translate.FieldError
	fmt.Println(errors.As(err, &fe), fe.Field)
	fmt.Println(string(t.RequestError(err)))
	// Output:
	// {"model":"claude-haiku-4-5","system":"Be brief.","messages":[{"role":"user","content":"Hi"}],"max_tokens":4096}
	// {"id":"msg_1","object":"chat.completion","created":1700000000,"model":"claude-haiku-4-5","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":0}}}
	// true n
	// {"error":{"message":"n: Anthropic gives one choice: n must be 1 (the provider chosen speaks Anthropic's Messages API)","type":"invalid_request_error","param":"n","code":"unsupported_parameter"}}
}

func ExampleAnthropicToOpenAI_ResponseStream() {
	s := translate.NewAnthropicToOpenAI().ResponseStream()
	for _, data := range []string{
		`{"id":"chatcmpl-1","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}`,
		`{"id":"chatcmpl-1","model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
		`{"id":"chatcmpl-1","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1}}`,
		`[DONE]`,
	} {
		out, _ := s.Event("", []byte(data))
		fmt.Print(string(out))
	}
	// Output:
	// event: message_start
	// data: {"type":"message_start","message":{"id":"chatcmpl-1","type":"message","role":"assistant","model":"gpt-4o-mini","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}
	//
	// event: content_block_start
	// data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}
	//
	// event: content_block_delta
	// data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}
	//
	// event: content_block_stop
	// data: {"type":"content_block_stop","index":0}
	//
	// event: message_delta
	// data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":9,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}
	//
	// event: message_stop
	// data: {"type":"message_stop"}
}
