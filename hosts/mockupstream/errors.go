package mockupstream

import (
	"net/http"
	"strconv"
)

// Header values shared by every answer; net/http never modifies them.
var (
	contentTypeJSON = []string{"application/json"}
	contentTypeSSE  = []string{"text/event-stream; charset=utf-8"}
	noCache         = []string{"no-cache"}
)

// malformedEvent is the event a Malformed stream sends second: not JSON.
var malformedEvent = []byte("data: {\"id\":\"chatcmpl-mock\",\"object\":\n\n")

// writeError answers with status and an OpenAI-shaped error body whose
// "code" is code, or the status's usual code if code is empty.
func writeError(w http.ResponseWriter, status int, code string) {
	message, kind, usual := errorText(status, code)
	if code == "" {
		code = usual
	}
	b := []byte(`{"error":{"message":`)
	b = appendString(b, message)
	b = append(b, `,"type":`...)
	b = appendString(b, kind)
	b = append(b, `,"param":null,"code":`...)
	if code == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, code)
	}
	b = append(b, "}}"...)
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// errorText returns OpenAI's message, type and usual code for an error
// status (and code, for 429).
func errorText(status int, code string) (message, kind, usual string) {
	switch {
	case status == http.StatusTooManyRequests && code == "insufficient_quota":
		return "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", ""
	case status == http.StatusTooManyRequests:
		return "Rate limit reached for requests.", "requests", "rate_limit_exceeded"
	case status == http.StatusUnauthorized:
		return "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
	case status == http.StatusBadRequest:
		return "We could not parse the JSON body of your request.", "invalid_request_error", ""
	case status >= 500:
		return "The server had an error while processing your request. Sorry about that!", "server_error", ""
	default:
		return http.StatusText(status), "invalid_request_error", ""
	}
}
