package gemini

import (
	"errors"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

func TestChatResponse(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		usage          abi.Usage
	}{
		{name: "text in parts, length, no usage, no id",
			in:   `{"candidates":[{"content":{"parts":[{"text":"a"},{"text":"b"}],"role":"model"},"finishReason":"MAX_TOKENS","index":0}]}`,
			want: `{"id":"chatcmpl-gemini-100","object":"chat.completion","created":100,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ab"},"finish_reason":"length"}]}`},
		{name: "two candidates, safety, thoughts and tool-use prompt in usage",
			in: `{"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"STOP","index":0},{"finishReason":"SAFETY","index":1}],"modelVersion":"gemini-x","responseId":"r",` +
				`"usageMetadata":{"promptTokenCount":10,"toolUsePromptTokenCount":2,"candidatesTokenCount":3,"thoughtsTokenCount":4,"cachedContentTokenCount":6,"totalTokenCount":19}}`,
			want: `{"id":"chatcmpl-r","object":"chat.completion","created":100,"model":"gemini-x","choices":[{"index":0,"message":{"role":"assistant","content":"x"},"finish_reason":"stop"},` +
				`{"index":1,"message":{"role":"assistant","content":null},"finish_reason":"content_filter"}],` +
				`"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19,"prompt_tokens_details":{"cached_tokens":6},"completion_tokens_details":{"reasoning_tokens":4}}}`,
			usage: abi.Usage{InputTokens: 12, CachedInputTokens: 6, OutputTokens: 7}},
		{name: "blocked prompt",
			in:    `{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5}}`,
			want:  `{"id":"chatcmpl-gemini-100","object":"chat.completion","created":100,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"content_filter"}],"usage":{"prompt_tokens":5,"completion_tokens":0,"total_tokens":5,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}`,
			usage: abi.Usage{InputTokens: 5}},
		{name: "calls with and without ids, other finish reason",
			in:   `{"candidates":[{"content":{"parts":[{"functionCall":{"id":"g1","name":"f","args":{"a": 1}}},{"functionCall":{"name":"g"}}]},"finishReason":"MALFORMED_FUNCTION_CALL"}]}`,
			want: `{"id":"chatcmpl-gemini-100","object":"chat.completion","created":100,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"g1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}},{"id":"call_0_1","type":"function","function":{"name":"g","arguments":"{}"}}]},"finish_reason":"stop"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, u, err := ChatResponse([]byte(tc.in), "m", 100)
			if err != nil || string(got) != tc.want || u != tc.usage {
				t.Errorf("ChatResponse =\n %s %+v %v\nwant\n %s %+v", got, u, err, tc.want, tc.usage)
			}
		})
	}
	for _, in := range []string{`[]`, `{"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"AA"}}]}}]}`} {
		var fe *FieldError
		if _, _, err := ChatResponse([]byte(in), "m", 100); !errors.As(err, &fe) {
			t.Errorf("ChatResponse(%s) = %v; want a FieldError", in, err)
		}
	}
}

func TestErrorBody(t *testing.T) {
	for _, tc := range []struct {
		status int
		in     string
		want   string
		result abi.Result
	}{
		{500, `{"error":{"code":500,"message":"boom","status":"INTERNAL"}}`, `{"error":{"message":"boom","type":"server_error","param":null,"code":"internal"}}`, abi.ServerError},
		{404, `{"error":{"code":404,"message":"models/x is not found","status":"NOT_FOUND"}}`, `{"error":{"message":"models/x is not found","type":"invalid_request_error","param":null,"code":"not_found"}}`, abi.BadRequest},
		{401, `not json`, `{"error":{"message":"gemini: upstream answered Unauthorized","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`, abi.AuthError},
		{502, ``, `{"error":{"message":"gemini: upstream answered Bad Gateway","type":"server_error","param":null,"code":"bad_gateway"}}`, abi.ServerError},
	} {
		got, r := ErrorBody(tc.status, []byte(tc.in))
		if string(got) != tc.want || r != tc.result {
			t.Errorf("ErrorBody(%d, %s) = %s, %s; want %s, %s", tc.status, tc.in, got, r, tc.want, tc.result)
		}
	}
}
