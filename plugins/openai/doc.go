// Package openai is the provider adapter for OpenAI and every
// OpenAI-compatible API (Groq, Together, OpenRouter, vLLM, Ollama …): the
// request's BaseURL picks the provider. It implements [sdk.Adapter] for
// the chat/completions (streamed or not), completions and embeddings
// endpoints and the model listing.
//
// # Usage
//
// In a host, in-process (it is wire-compatible with OpenAI, see
// [sdk.Info].WireCompatible):
//
//	a := openai.New(openai.Config{Logger: logger})
//	resp, err := a.Do(ctx, &sdk.Request{
//		Endpoint: sdk.EndpointChatCompletions,
//		Body:     clientBody,
//		BaseURL:  "https://api.groq.com/openai/v1",
//		Secret:   secret,
//	})
//	… // relay resp.Status, resp.Header, resp.Body; then resp.Outcome()
//
// As a plugin subprocess, build ./cmd/apikeyrouter-openai and start it with
// [sdk.NewClient].
//
// # What it changes
//
// The client's body goes upstream byte for byte, except:
//
//   - "model" is replaced when the request names a different provider
//     model;
//   - a stream whose client did not ask for stream_options.include_usage
//     gets it, so usage is always accounted; the extra final usage-only
//     chunk (empty choices) is then dropped from the stream the client
//     sees. The other chunks keep the "usage":null field upstream adds.
//
// The secret goes only in "Authorization: Bearer …" (and nowhere if
// empty, for local servers). Every answer's x-ratelimit-* and
// retry-after(-ms) headers become the response's RateLimit and RetryAfter,
// successes included. Usage comes from the JSON body's "usage" or the
// stream's usage chunk (Groq's "x_groq.usage" too).
//
// # Anthropic's format
//
// [sdk.Info].Formats lists OpenAI's format first, then Anthropic's
// Messages: WireCompatible speaks of the first only (see
// [sdk.FormatAnthropic]). A body in Anthropic's format, on endpoint
// "messages", is translated to a chat completion (package translate:
// system prompt, turns, images, tools, max_tokens …, with
// stream_options.include_usage for streams) and sent to chat/completions;
// the answer comes back in Anthropic's shape, its JSON, its error body or
// its stream event by event (the usage chunk becomes message_delta's
// usage). A body the translation cannot carry (top_k, extended thinking,
// server tools, documents …) is answered 400 invalid_request_error naming
// the field, without calling the provider.
//
// # Token estimates
//
// EstimateTokens counts OpenAI models (gpt-4o, gpt-4.1, gpt-5, the
// o-series, gpt-4, gpt-3.5, the embedding models; by the request's Model
// or the body's "model") with OpenAI's own tokenizer and chat framing, and
// approximates every other model (one token per four bytes of text), as
// package tokenize describes. New loads the tokenizer's vocabularies in the
// background, so the first request does not wait for them.
package openai
