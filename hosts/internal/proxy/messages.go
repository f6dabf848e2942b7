package proxy

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// anthropicAPI is Anthropic's Messages API, POST /v1/messages: clients
// send their key (PROXY_API_KEY or a virtual key) in x-api-key, as
// Anthropic's SDKs do, or as a bearer token; any anthropic-version is
// accepted; errors have Anthropic's shape. The call routes with the
// body's model, max_tokens and stream like OpenAI's, in
// [sdk.FormatAnthropic]: an Anthropic provider's adapter passes it
// through, an OpenAI-compatible one translates it and the answer back.
var anthropicAPI = clientAPI{
	endpoint:     sdk.EndpointMessages,
	format:       sdk.FormatAnthropic,
	fields:       []string{"model", "stream", "max_tokens"},
	bounds:       1,
	authenticate: (*auth).anthropicClient,
	writeError:   (*apiError).writeAnthropic,
	streamError:  anthropicStreamError,
}

// anthropicStreamError is the event that ends a Messages stream whose
// provider broke off, as Anthropic's own streams report a failure: an
// error event of type api_error.
var anthropicStreamError = func() []byte {
	b, _ := json.Marshal(anthropicError{Type: "error",
		Error: anthropicErrorDetail{Type: "api_error", Message: "the provider's stream broke off"}})
	return []byte("event: error\ndata: " + string(b) + "\n\n")
}()

// errNoAnthropicKey is a Messages request without a key.
var errNoAnthropicKey = &apiError{status: http.StatusUnauthorized, typ: typeAuthentication, code: "missing_api_key",
	message: "missing API key: send x-api-key: <PROXY_API_KEY or a virtual key> (or Authorization: Bearer)"}

// anthropicClient authenticates a Messages request by its x-api-key, or
// else its bearer token.
func (a *auth) anthropicClient(r *http.Request) (abi.ClientID, *apiError) {
	if key := strings.TrimSpace(r.Header.Get("X-Api-Key")); key != "" {
		return a.clientOf(key)
	}
	if token, ok := bearer(r); ok {
		return a.clientOf(token)
	}
	return "", errNoAnthropicKey
}

// anthropicError is an error in Anthropic's shape.
type anthropicError struct {
	Type  string               `json:"type"` // "error"
	Error anthropicErrorDetail `json:"error"`
}

type anthropicErrorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// writeAnthropic writes the error in Anthropic's shape,
// {"type":"error","error":{"type","message"}}, its type following from
// the status as Anthropic's do; the proxy's code is in the log line.
func (e *apiError) writeAnthropic(w http.ResponseWriter) {
	e.writeHeader(w)
	body, _ := json.Marshal(anthropicError{Type: "error",
		Error: anthropicErrorDetail{Type: translate.AnthropicErrorType(e.status), Message: e.message}})
	w.Write(append(body, '\n'))
}
