package anthropic

import (
	"net/http"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// classifyStatus returns the result class of an answer, as
// [sdk.ClassifyStatus] does for Anthropic's documented errors (400
// invalid_request_error: a bad request; 401 authentication_error and 403
// permission_error: an auth error; 429 rate_limit_error: rate limited;
// 500 api_error, 504 timeout_error and 529 overloaded_error: a server
// error), except 402 billing_error: the key's credit is used up, so it is
// quota exhausted rather than a bad request.
func classifyStatus(status int, body []byte) abi.Result {
	if status == http.StatusPaymentRequired {
		return abi.QuotaExhausted
	}
	return sdk.ClassifyStatus(status, body)
}
