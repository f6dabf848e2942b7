// Package gemini is the provider adapter for Google's Gemini API
// (generativelanguage.googleapis.com). Clients speak OpenAI's chat
// completions; the adapter translates each request into generateContent
// (streamGenerateContent with alt=sse for streams) and each answer back,
// event by event, with pure functions on bytes ([ChatRequest],
// [ChatResponse], [StreamTranslator], [ErrorBody]).
//
// # Usage
//
// In a host, usually as the plugin subprocess ./cmd/apikeyrouter-gemini
// (it translates, so it is not wire-compatible), or in-process:
//
//	a := gemini.New(gemini.Config{Logger: logger})
//	resp, err := a.Do(ctx, &sdk.Request{
//		Endpoint: sdk.EndpointChatCompletions,
//		Body:     []byte(`{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"Hello"}]}`),
//		Secret:   secret, // sent as x-goog-api-key, never in the URL
//	})
//	… // relay resp.Status, resp.Header, resp.Body; then resp.Outcome()
//
// # What translates
//
// Requests: system and developer messages (wherever they stand) become
// systemInstruction; user messages "user" turns and assistant messages
// "model" turns; text parts, images and files as base64 data URLs
// (inlineData) or by http(s)/gs:// URL (fileData, which Gemini fetches:
// Files API URIs, Cloud Storage, public URLs), input_audio (wav, mp3);
// assistant tool_calls become functionCall parts and tool messages
// functionResponse parts (named after the call their tool_call_id
// answers; consecutive results form one turn; a result that is not a JSON
// object is sent as {"content": …}); tools become functionDeclarations
// with the client's JSON Schema as parametersJsonSchema; tool_choice
// none/auto/required/a named function becomes functionCallingConfig
// NONE/AUTO/ANY/ANY with allowedFunctionNames. max_tokens and
// max_completion_tokens → maxOutputTokens, temperature, top_p → topP,
// stop → stopSequences, n → candidateCount, presence_penalty,
// frequency_penalty, seed, response_format json_object / json_schema →
// responseMimeType application/json (+ responseJsonSchema),
// reasoning_effort low/medium/high → thinkingBudget 1024/8192/24576 (as
// Google's own OpenAI-compatible endpoint maps it). user is dropped.
//
// Refused, with a bad request naming the field: any other request field
// (logprobs, logit_bias, modalities, audio, prediction …), names on
// messages, parallel_tool_calls false, other roles and part types, OpenAI
// file ids, URLs that are neither data nor http(s)/gs.
//
// Answers: text parts concatenate into the message's content (thought
// summaries are left out), functionCall parts become tool_calls (ids:
// Gemini's, else call_<candidate>_<n>), finish reasons map STOP → stop
// (tool_calls when the candidate called a tool), MAX_TOKENS → length,
// SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY →
// content_filter, anything else → stop; a blocked prompt is one choice
// with content_filter. usageMetadata becomes usage: prompt_tokens =
// promptTokenCount + toolUsePromptTokenCount, completion_tokens =
// candidatesTokenCount + thoughtsTokenCount (reasoning_tokens),
// cached_tokens = cachedContentTokenCount. "created" is the time of
// Google's Date header; "id" is "chatcmpl-" and the responseId. A part with
// no chat equivalent (a generated image) fails the answer as a server
// error. Streams: each Gemini event becomes chunks at once (the first of a
// choice with the role, a separate one with its finish reason); the usage
// chunk follows when stream_options.include_usage asked for it; then
// "data: [DONE]". An error event is relayed in OpenAI's shape and ends the
// stream with a server error.
//
// Errors come back in OpenAI's shape, {"error":{"message","type","param",
// "code"}}, classified by [Classify]: 429 RESOURCE_EXHAUSTED is rate
// limited (quota exhausted when the quota is daily), a rejected key
// (400 API_KEY_INVALID, 401, 403) an auth error, other 4xx bad requests,
// 5xx server errors. A 429's RetryInfo retryDelay is the retry-after.
//
// # Token estimates
//
// Gemini's tokenizer is not available offline: EstimateTokens
// approximates one token per four bytes of text with OpenAI's chat
// framing (package tokenize's Approximate), which Google also documents
// as its rule of thumb ("a token is about four characters").
package gemini
