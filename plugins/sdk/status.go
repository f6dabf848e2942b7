package sdk

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// resultCodes maps each failure class to the gRPC code that carries it
// across the plugin boundary; [resultOfCode] is its inverse.
var resultCodes = [...]codes.Code{
	abi.Success:         codes.OK,
	abi.RateLimited:     codes.ResourceExhausted,
	abi.QuotaExhausted:  codes.FailedPrecondition,
	abi.ServerError:     codes.Internal,
	abi.Timeout:         codes.DeadlineExceeded,
	abi.ConnectionError: codes.Unavailable,
	abi.AuthError:       codes.Unauthenticated,
	abi.BadRequest:      codes.InvalidArgument,
	abi.Cancelled:       codes.Canceled,
}

// statusError turns an adapter's error into the gRPC status that carries
// it: a code for its class and its message, with secret redacted.
func statusError(err error, secret string) error {
	code := codes.Unavailable
	if r := ClassifyError(err); int(r) < len(resultCodes) {
		code = resultCodes[r]
	}
	return status.Error(code, Redact(err.Error(), secret))
}

// resultOfCode returns the class a gRPC code carries. Codes no adapter
// sends (a broken or dead plugin, a transport failure) are connection
// errors; PermissionDenied counts as an auth error and Unimplemented (an
// older plugin) as a bad request.
func resultOfCode(c codes.Code) abi.Result {
	switch c {
	case codes.PermissionDenied:
		return abi.AuthError
	case codes.Unimplemented:
		return abi.BadRequest
	}
	for r, rc := range resultCodes {
		if rc == c && r != int(abi.Success) {
			return abi.Result(r)
		}
	}
	return abi.ConnectionError
}

// errorOfStatus turns an error from a gRPC call back into an [*Error].
func errorOfStatus(err error) *Error {
	st := status.Convert(err)
	return &Error{Result: resultOfCode(st.Code()), Message: st.Message()}
}
