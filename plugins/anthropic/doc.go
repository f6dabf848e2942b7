// Package anthropic is the provider adapter for Anthropic's Messages API
// (POST /v1/messages, streamed or not, and the model listing). It
// implements [sdk.Adapter] for two client formats: Anthropic's own, which
// passes through, and OpenAI's chat completions, which it translates with
// package translate, so an OpenAI client routed to an Anthropic key gets
// an OpenAI answer.
//
// # Usage
//
// In a host, in-process or as a plugin subprocess (build
// ./cmd/apikeyrouter-anthropic and start it with [sdk.NewClient]):
//
//	a := anthropic.New(anthropic.Config{Logger: logger})
//	resp, err := a.Do(ctx, &sdk.Request{
//		Endpoint: sdk.EndpointMessages, // or sdk.EndpointChatCompletions
//		Format:   sdk.FormatAnthropic,  // or sdk.FormatOpenAI
//		Body:     clientBody,
//		Secret:   secret,
//	})
//	… // relay resp.Status, resp.Header, resp.Body; then resp.Outcome()
//
// # Formats
//
// [sdk.Info].Formats lists Anthropic's format first and OpenAI's second;
// WireCompatible is true and speaks of the first only (see
// [sdk.FormatAnthropic]):
//
//   - format "anthropic" on endpoint "messages": the client's body goes
//     upstream byte for byte, except "model" when the request names a
//     different provider model; the answer comes back as it is.
//   - format "openai" on endpoint "chat/completions": the body is
//     translated to a Messages request (max_tokens defaults to
//     [translate.DefaultMaxTokens]), and the answer, its error body or its
//     stream, event by event, back to OpenAI's shape; "created" is the
//     answer's Date header. A request the translation refuses (n > 1, logprobs,
//     audio …) is answered 400 invalid_request_error naming the field,
//     without calling Anthropic.
//
// The secret goes only in x-api-key, with anthropic-version [APIVersion]
// (a provider's configured header may name another). Every answer's
// anthropic-ratelimit-* and retry-after headers become the response's
// RateLimit and RetryAfter, successes included.
//
// # Results and usage
//
// Errors are classified by status: 429 rate_limit_error is rate limited;
// 401 authentication_error and 403 permission_error an auth error; 402
// billing_error quota exhausted; 400 invalid_request_error (and other 4xx)
// a bad request; 500 api_error, 529 overloaded_error and other 5xx a
// server error. A stream that carries an error event, an event that is not
// JSON, or that ends before message_stop ends its body with a server
// error.
//
// Usage comes from the message's "usage", or the stream's message_start
// and the cumulative counts of message_delta. The core's input tokens are
// Anthropic's input_tokens plus its cache writes and reads; cache reads
// are the cached input. Cache writes are counted at the input price,
// below the 1.25× Anthropic bills, as the ABI has no field for them.
//
// # Token estimates
//
// EstimateTokens approximates (Claude's tokenizer is not public; the
// offline tokenizers in Go are OpenAI's): one token per four bytes of
// text, rounded up; 1,600 tokens an image (the most an image costs after
// Anthropic scales it down); 3,000 a PDF document (one page at its upper
// cost); tool definitions by their JSON size, plus the tool-use system
// prompt (346 tokens, 313 with a forced tool choice). OpenAI-format bodies
// are estimated after their translation.
package anthropic
