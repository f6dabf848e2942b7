package sdk

import (
	"context"
	"errors"
	"net"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// Error is a failed call: its result class and a message. It is how
// failures cross the plugin boundary, as a (code, message) pair; hosts must
// not rely on Go type identity of other errors after the hop. Its message
// never contains a secret.
type Error struct {
	// Result classifies the failure for the core, e.g. [abi.Timeout].
	Result abi.Result
	// Message says what failed, for logs.
	Message string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// ClassifyError returns the result class of a call that failed with err:
//
//   - nil: [abi.Success];
//   - an [*Error] anywhere in the chain: its Result;
//   - context.DeadlineExceeded or a network timeout: [abi.Timeout];
//   - context.Canceled: [abi.Cancelled];
//   - anything else (dial, TLS, reset, EOF, a dead plugin): [abi.ConnectionError].
func ClassifyError(err error) abi.Result {
	var e *Error
	var ne net.Error
	switch {
	case err == nil:
		return abi.Success
	case errors.As(err, &e):
		return e.Result
	case errors.Is(err, context.DeadlineExceeded):
		return abi.Timeout
	case errors.Is(err, context.Canceled):
		return abi.Cancelled
	case errors.As(err, &ne) && ne.Timeout():
		return abi.Timeout
	default:
		return abi.ConnectionError
	}
}

// Interface guards
var _ error = (*Error)(nil)
