package gemini

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// Classify returns the result class of a Gemini answer with an HTTP status
// and a body (Google's {"error":{"code","message","status","details"}}):
//
//   - 429 RESOURCE_EXHAUSTED: [abi.RateLimited], or [abi.QuotaExhausted]
//     when a QuotaFailure detail names a daily quota ("…PerDay…"), which
//     no retry within the day can get past;
//   - 400 INVALID_ARGUMENT: [abi.BadRequest], except the key rejected
//     (ErrorInfo reason API_KEY_INVALID, how Gemini answers a wrong key):
//     [abi.AuthError];
//   - 401, 403 PERMISSION_DENIED: [abi.AuthError];
//   - otherwise as [sdk.ClassifyStatus]: other 4xx bad requests, 5xx server
//     errors.
func Classify(status int, body []byte) abi.Result {
	e := gjson.GetBytes(body, "error")
	switch {
	case status == http.StatusTooManyRequests && dailyQuota(e):
		return abi.QuotaExhausted
	case status == http.StatusTooManyRequests:
		return abi.RateLimited
	case status == http.StatusBadRequest && hasDetail(e, "reason", "API_KEY_INVALID"):
		return abi.AuthError
	}
	return sdk.ClassifyStatus(status, nil)
}

// dailyQuota reports whether a RESOURCE_EXHAUSTED error names a daily
// quota among its QuotaFailure violations.
func dailyQuota(e gjson.Result) bool {
	for _, d := range e.Get("details").Array() {
		for _, v := range d.Get("violations").Array() {
			if strings.Contains(v.Get("quotaId").String(), "PerDay") {
				return true
			}
		}
	}
	return false
}

// hasDetail reports whether an error has a detail whose field has value.
func hasDetail(e gjson.Result, field, value string) bool {
	for _, d := range e.Get("details").Array() {
		if d.Get(field).String() == value {
			return true
		}
	}
	return false
}

// retryDelay returns the RetryInfo detail's retryDelay ("37s"), or 0.
func retryDelay(body []byte) abi.Duration {
	for _, d := range gjson.GetBytes(body, "error.details").Array() {
		if v := d.Get("retryDelay").String(); v != "" {
			if dur, err := time.ParseDuration(v); err == nil && dur > 0 {
				return abi.Duration(dur)
			}
		}
	}
	return 0
}

// errorTypes are the OpenAI error type and code a client sees per class;
// an empty code means Gemini's status, in lower case.
var errorTypes = map[abi.Result][2]string{
	abi.RateLimited:    {"requests", "rate_limit_exceeded"},
	abi.QuotaExhausted: {"insufficient_quota", "insufficient_quota"},
	abi.AuthError:      {"invalid_request_error", "invalid_api_key"},
	abi.BadRequest:     {"invalid_request_error", ""},
}

// openAIErrorBody is OpenAI's error object.
type openAIErrorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
}

// openAIError translates Google's error object into OpenAI's, for a
// failure of class r.
func openAIError(e gjson.Result, r abi.Result) openAIErrorBody {
	t, ok := errorTypes[r]
	if !ok {
		t = [2]string{"server_error", ""}
	}
	if t[1] == "" {
		t[1] = strings.ToLower(e.Get("status").String())
	}
	return openAIErrorBody{Message: e.Get("message").String(), Type: t[0], Code: t[1]}
}

// ErrorBody translates a Gemini error answer into OpenAI's error shape for
// the client, with the class [Classify] gives it. A body that is not
// Google's error keeps status's text as the message.
func ErrorBody(status int, body []byte) ([]byte, abi.Result) {
	r := Classify(status, body)
	e := openAIError(gjson.GetBytes(body, "error"), r)
	if e.Message == "" {
		e.Message = "gemini: upstream answered " + http.StatusText(status)
	}
	if e.Code == "" {
		e.Code = strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
	}
	b, _ := json.Marshal(map[string]openAIErrorBody{"error": e})
	return b, r
}
