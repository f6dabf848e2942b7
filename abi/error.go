package abi

import (
	"errors"
	"fmt"
)

// Error is a failed ABI call: a [Code] and a message. It is what crosses the
// WebAssembly boundary, so callers branch on Code, never on Go identity.
type Error struct {
	Code    Code
	Message string
}

// Error implements error.
func (e *Error) Error() string { return "abi: " + e.Code.String() + ": " + e.Message }

// Errorf returns an [*Error] with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns err's code: [OK] for nil, the code of an [*Error] anywhere
// in its chain, else [Internal].
func CodeOf(err error) Code {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}
