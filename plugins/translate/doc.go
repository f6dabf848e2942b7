// Package translate converts calls between OpenAI's chat completions API
// and Anthropic's Messages API, both ways: requests, answers, error bodies
// and streams, event by event. It is pure: functions on bytes, no I/O, no
// clock (the time of an OpenAI answer is given). Adapters sit around it
// and do the HTTP, as ai-gateway's translators do
// (Translator.RequestBody(raw) → mutated body).
//
// The translator is named after the client's API, then the provider's:
// [OpenAIToAnthropic] serves an OpenAI client from an Anthropic provider,
// [AnthropicToOpenAI] an Anthropic client from an OpenAI-compatible one.
//
// # Usage
//
// An adapter makes one translator per call, translates the request, sends
// it, and translates whichever answer comes back:
//
//	t := translate.NewOpenAIToAnthropic()
//	body, err := t.RequestBody(clientBody)
//	if err != nil {
//		// answer 400 with t.RequestError(err): it names the field
//	}
//	… // POST body to {base}/messages
//	switch {
//	case status >= 400:
//		clientBody = t.ResponseError(status, providerBody)
//	case streamed:
//		s := t.ResponseStream(created) // the answer's time, in unix seconds
//		for each provider event {
//			out, err := s.Event(eventType, data) // zero or more whole client events
//			…
//		}
//		tail, err := s.End() // closing events, or ErrStreamCut
//	default:
//		clientBody, err = t.ResponseBody(providerBody, created)
//	}
//
// # What translates
//
//   - System prompts: OpenAI system and developer messages ⇄ Anthropic
//     "system" (a string stays a string, text parts become text blocks).
//   - Turns: user and assistant messages, text and image parts (image_url
//     by http(s) URL ⇄ image source url; data URLs ⇄ base64 sources).
//   - Tools: function tools ⇄ custom tools, tool_choice (auto, none,
//     required ⇄ any, a named function ⇄ tool), parallel_tool_calls ⇄
//     disable_parallel_tool_use, assistant tool_calls ⇄ tool_use blocks
//     (JSON-encoded arguments ⇄ input objects), tool messages ⇄ tool_result
//     blocks in a user turn.
//   - Sampling: max_tokens (or max_completion_tokens) ⇄ max_tokens, which
//     Anthropic requires: [DefaultMaxTokens] when an OpenAI request has
//     none; temperature (Anthropic's range is 0 to 1), top_p, stop ⇄
//     stop_sequences, user ⇄ metadata.user_id, stream.
//   - Answers: content and tool calls, ids (kept), finish_reason ⇄
//     stop_reason, usage: prompt_tokens counts Anthropic's input tokens plus
//     its cache writes and reads, cached_tokens its cache reads.
//   - Errors: error bodies into the client's shape (Anthropic's error type
//     from the HTTP status the other way), and the stream's error events.
//
// # What is refused
//
// A translation never drops what it cannot carry. Fields with no
// equivalent, or values the other API cannot honour, are a [*FieldError]
// naming the field ("n", "messages[2].content[0].type" …), which adapters
// answer with a 400 invalid_request_error in the client's shape:
//
//   - from OpenAI: n > 1, logprobs, top_logprobs, seed, non-zero
//     penalties, logit_bias, response_format other than text, audio and file
//     parts, audio output, message names, reasoning_effort, strict tool
//     schemas, temperature above 1, and any field it does not know;
//   - from Anthropic: top_k, extended thinking, server tools (web search,
//     code execution …), documents, search results, citations, tool results
//     marked is_error or holding images, and any field it does not know.
//
// Two hints are accepted and not carried, as the other API has no use for
// them and they change nothing in the conversation: OpenAI's
// image_url.detail and Anthropic's cache_control (OpenAI caches prompts by
// itself).
//
// # Limits
//
// Every document the package reads — request bodies, answers, stream
// events, tool call arguments — nests arrays and objects at most
// [MaxDepth] deep: a walk that does not recurse checks it before gjson,
// whose validation does. Hosts check client bodies with [CheckObject],
// which also refuses a top-level key given twice.
//
// # Streams
//
// A [Stream] is fed the provider's events one at a time and returns the
// client's events for each at once, so nothing waits for the end. Messages
// streams open and close each content block; chat completion chunks carry
// loose deltas, numbered tool calls and the usage in a last chunk (which
// the translated request asks for). The package docs of
// [OpenAIToAnthropic.ResponseStream] and [AnthropicToOpenAI.ResponseStream]
// list the event mapping. A stream broken by an event (malformed, or an
// error event) stays broken: nothing after it is translated, so no clean
// ending (message_stop, "[DONE]") follows a failure.
package translate
