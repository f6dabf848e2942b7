package translate

import (
	"errors"
	"strings"
)

// FieldError is a request the translation refuses: a field, or a value of
// it, that the provider's API has no equivalent for. Translations never
// drop what they cannot carry; they return a FieldError, which adapters
// turn into a 400 invalid_request_error for the client.
type FieldError struct {
	// Field is the field's path in the client's body, e.g.
	// "messages[2].content[0].type"; empty for the body as a whole.
	Field string
	// Reason says why it cannot be translated.
	Reason string
}

// Error returns "translate: <field>: <reason>".
func (e *FieldError) Error() string {
	if e.Field == "" {
		return "translate: " + e.Reason
	}
	return "translate: " + e.Field + ": " + e.Reason
}

// Message returns the error as the client reads it, without the package
// prefix.
func (e *FieldError) Message() string {
	return strings.TrimPrefix(e.Error(), "translate: ")
}

// refuse returns a [*FieldError].
func refuse(field, reason string) *FieldError {
	return &FieldError{Field: field, Reason: reason}
}

// errNotObject refuses a body that is not a JSON object.
var errNotObject = &FieldError{Reason: "the request body is not a JSON object"}

// asFieldError returns err as a [*FieldError]: itself, or one wrapping its
// message for the body as a whole.
func asFieldError(err error) *FieldError {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe
	}
	return &FieldError{Reason: err.Error()}
}

// Interface guards
var _ error = (*FieldError)(nil)
