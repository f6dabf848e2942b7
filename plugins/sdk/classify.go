package sdk

import (
	"encoding/json"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// ClassifyStatus returns the result class of a provider's answer with HTTP
// status and body (the body matters only for errors):
//
//   - 2xx: [abi.Success];
//   - 429: [abi.RateLimited], or [abi.QuotaExhausted] when the body is an
//     OpenAI-style error whose code or type is "insufficient_quota";
//   - 401, 403: [abi.AuthError];
//   - 408: [abi.Timeout] (the provider gave up waiting: retryable);
//   - other 4xx: [abi.BadRequest];
//   - 5xx, and anything else unexpected (1xx, 3xx): [abi.ServerError].
func ClassifyStatus(status int, body []byte) abi.Result {
	switch {
	case status >= 200 && status <= 299:
		return abi.Success
	case status == 429:
		if isQuotaError(body) {
			return abi.QuotaExhausted
		}
		return abi.RateLimited
	case status == 401, status == 403:
		return abi.AuthError
	case status == 408:
		return abi.Timeout
	case status >= 400 && status <= 499:
		return abi.BadRequest
	default:
		return abi.ServerError
	}
}

// isQuotaError reports whether body is an OpenAI-style error saying the
// key's quota or credit is used up.
func isQuotaError(body []byte) bool {
	var e struct {
		Error struct {
			Code any    `json:"code"` // a string for OpenAI; some servers send numbers
			Type string `json:"type"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return false
	}
	return e.Error.Code == "insufficient_quota" || e.Error.Type == "insufficient_quota"
}
