package translate

import "net/http"

// finishReasons maps Anthropic's stop_reason to OpenAI's finish_reason.
// pause_turn and the server-tool reasons cannot occur: requests with
// server tools are refused.
var finishReasons = map[string]string{
	"end_turn":                      "stop",
	"stop_sequence":                 "stop",
	"max_tokens":                    "length",
	"model_context_window_exceeded": "length",
	"tool_use":                      "tool_calls",
	"refusal":                       "content_filter",
}

// stopReasons maps OpenAI's finish_reason to Anthropic's stop_reason.
// OpenAI does not say whether a stop sequence matched, so "stop" is
// always end_turn.
var stopReasons = map[string]string{
	"stop":           "end_turn",
	"length":         "max_tokens",
	"tool_calls":     "tool_use",
	"function_call":  "tool_use",
	"content_filter": "refusal",
}

// openAIUsageOf converts Anthropic's usage: its input_tokens exclude the
// tokens written to and read from the prompt cache, OpenAI's prompt_tokens
// include them and single out the cache reads as cached_tokens.
func openAIUsageOf(u anthropicUsage) openAIUsage {
	prompt := u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens
	return openAIUsage{
		PromptTokens:        prompt,
		CompletionTokens:    u.OutputTokens,
		TotalTokens:         prompt + u.OutputTokens,
		PromptTokensDetails: openAIPromptTokensDetails{CachedTokens: u.CacheReadInputTokens},
	}
}

// anthropicUsageOf converts OpenAI's usage (see [openAIUsageOf]); OpenAI
// reports no cache writes.
func anthropicUsageOf(prompt, cached, completion int64) anthropicUsage {
	return anthropicUsage{
		InputTokens:          prompt - cached,
		CacheReadInputTokens: cached,
		OutputTokens:         completion,
	}
}

// AnthropicErrorType returns the Messages API's error type for an HTTP
// status, as Anthropic documents them: 400 invalid_request_error, 401
// authentication_error, 402 billing_error, 403 permission_error, 404
// not_found_error, 413 request_too_large, 429 rate_limit_error, 504
// timeout_error, 503 and 529 overloaded_error; other 4xx are
// invalid_request_error, anything else api_error. Hosts use it for the
// errors they answer Anthropic clients themselves.
func AnthropicErrorType(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "authentication_error"
	case http.StatusPaymentRequired:
		return "billing_error"
	case http.StatusForbidden:
		return "permission_error"
	case http.StatusNotFound:
		return "not_found_error"
	case http.StatusRequestEntityTooLarge:
		return "request_too_large"
	case http.StatusTooManyRequests:
		return "rate_limit_error"
	case http.StatusGatewayTimeout:
		return "timeout_error"
	case http.StatusServiceUnavailable, 529:
		return "overloaded_error"
	}
	if status >= 400 && status < 500 {
		return "invalid_request_error"
	}
	return "api_error"
}

// openAIErrorCodes gives the OpenAI error code of Anthropic error types
// that have one; the others translate to a null code.
var openAIErrorCodes = map[string]string{
	"authentication_error": "invalid_api_key",
	"billing_error":        "insufficient_quota",
	"rate_limit_error":     "rate_limit_exceeded",
}
