// Package anthropic is a mock Anthropic Messages API for tests and
// benchmarks: deterministic answers in Anthropic's documented wire format,
// anthropic-ratelimit-* headers, and per-key faults.
//
// # Usage
//
// In a test, serve it with httptest and point an adapter (or a provider's
// base URL) at its /v1:
//
//	mock := anthropic.New(anthropic.Config{})
//	srv := httptest.NewServer(mock)
//	defer srv.Close()
//	baseURL := srv.URL + "/v1"
//
//	mock.SetFault("sk-ant-2", anthropic.Fault{Status: 529, Type: "overloaded_error"})
//	… // requests with "x-api-key: sk-ant-2" get 529 overloaded_error
//	if mock.Requests("sk-ant-3") != 0 { … } // key sk-ant-3 received nothing
//
// # Answers
//
// Everything derives from the request, so tests can assert exact usage:
//
//   - Requests need x-api-key (401 authentication_error), anthropic-version
//     and max_tokens (400 invalid_request_error); a top-level field the
//     Messages API does not define is a 400 too, as the real API refuses
//     extra inputs.
//   - Tokens are [mockupstream.CountTokens] (one per four bytes, rounded
//     up) of each text: the system prompt's, and every turn's text blocks
//     and tool results. System blocks marked with cache_control count as
//     cache reads (cache_read_input_tokens), the rest as input_tokens.
//   - The reply echoes the last user text, cut to max_tokens tokens' bytes
//     (stop_reason max_tokens); usage.output_tokens is its tokens. With
//     tool_choice {"type":"tool","name":N} the reply is instead a tool_use
//     block calling N with input {"text": <last user text>} (stop_reason
//     tool_use), whose output tokens are those of the input's JSON.
//   - Streams follow Anthropic's event sequence: message_start (usage with
//     output_tokens 1), content_block_start, a ping, one content_block_delta
//     per word (a tool's input in two input_json_delta halves),
//     content_block_stop, message_delta (stop_reason and output_tokens),
//     message_stop.
//   - GET /v1/models lists [Config.Models] in one page.
package anthropic
