// Package mockupstream is a mock OpenAI-compatible provider for tests and
// benchmarks: deterministic answers, real-looking rate-limit headers, and
// per-key fault injection.
//
// # Usage
//
// In a test, serve it with httptest and point an adapter at its /v1:
//
//	mock := mockupstream.New(mockupstream.Config{})
//	srv := httptest.NewServer(mock)
//	defer srv.Close()
//	defer mock.Close() // runs first: ends stalled answers so srv.Close returns
//	baseURL := srv.URL + "/v1"
//
//	mock.SetFault("sk-2", mockupstream.Fault{Status: 429, RetryAfter: 2 * time.Second, Times: 1})
//	… // requests with "Authorization: Bearer sk-2": the first gets a 429
//	if mock.Requests("sk-3") != 0 { … } // key sk-3 received nothing
//
// Standalone, for benchmarks and manual tests, run
// hosts/mockupstream/cmd/mockupstream and steer it over its admin
// endpoints (see [Server]).
//
// # Answers
//
// Everything is derived from the request, so tests can assert exact bytes
// and usage:
//
//   - Tokens are [CountTokens]: one per four bytes, rounded up.
//   - Chat completions reply with the text of the last user message;
//     prompt_tokens is the sum of the messages' texts' tokens. max_tokens
//     or max_completion_tokens cuts the reply to that many tokens' bytes
//     with finish_reason "length".
//   - Streams follow OpenAI's chunk format: a role chunk, one chunk per word
//     (with its trailing spaces), a finish chunk, the usage chunk (empty
//     choices) if stream_options.include_usage, then "data: [DONE]". With
//     include_usage, the other chunks carry "usage":null.
//   - Completions echo each prompt as its choice; embeddings return
//     EmbeddingDims floats per input derived from a hash of it; ids are
//     fixed ("chatcmpl-mock") and "created" is the clock's.
//
// # Rate limits
//
// Each key has a one-minute window that starts at its first request and
// restarts on the first request after it ends. Every answer carries
// x-ratelimit-{limit,remaining,reset}-{requests,tokens}; a request over a
// limit gets 429 rate_limit_exceeded with retry-after.
package mockupstream
