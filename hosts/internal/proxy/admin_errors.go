package proxy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// The admin API's own error codes; the router's codes (unknown_key,
// invalid_transition …) pass through under their own names.
const (
	codeInvalidJSON     = "invalid_json"
	codeInvalidArgument = "invalid_argument"
	codeAlreadyExists   = "already_exists"
	codeTooLarge        = "request_too_large"
)

// invalidField is a 400 for one request field, named in the message.
func invalidField(field, format string, args ...any) *apiError {
	return badRequest(codeInvalidArgument, fmt.Sprintf("field %q: ", field)+fmt.Sprintf(format, args...))
}

// notFoundError is a 404 with the code of the kind of object that is missing.
func notFoundError(code abi.Code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusNotFound, typ: typeNotFound, code: code.String(), message: fmt.Sprintf(format, args...)}
}

// conflictError is a 409: the object exists already.
func conflictError(format string, args ...any) *apiError {
	return &apiError{status: http.StatusConflict, typ: typeInvalidRequest, code: codeAlreadyExists, message: fmt.Sprintf(format, args...)}
}

// errorFor maps an error from the router to what the operator sees: the
// core's codes with their messages (which name ids, never secrets), the
// router's other refusals as the client API answers them, and anything
// else as an internal error whose details go to the log only.
func (a *admin) errorFor(r *http.Request, err error) *apiError {
	if code, msg, ok := coreCode(err); ok {
		switch code {
		case abi.UnknownKey, abi.UnknownProvider, abi.UnknownModel, abi.UnknownClient, abi.UnknownBudget:
			return notFoundError(code, "%s", msg)
		case abi.InvalidTransition:
			return &apiError{status: http.StatusConflict, typ: typeInvalidRequest, code: code.String(), message: msg}
		case abi.InvalidArgument, abi.TooLarge, abi.Malformed:
			return badRequest(code.String(), msg)
		}
	}
	var refusal *router.Refusal
	if errors.As(err, &refusal) {
		if e := errorFor(err); e.status != http.StatusInternalServerError {
			return e
		}
	}
	a.s.log.ErrorContext(r.Context(), "admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return &apiError{status: http.StatusInternalServerError, typ: typeServer, code: "internal_error", message: "internal error"}
}

// coreCode returns the core's code and message an error carries: an event
// the core refused, or a refused route.
func coreCode(err error) (abi.Code, string, bool) {
	var ae *abi.Error
	var refusal *router.Refusal
	switch {
	case errors.As(err, &ae):
		return ae.Code, ae.Message, true
	case errors.As(err, &refusal):
		return refusal.Code, refusal.Message, true
	}
	return abi.OK, "", false
}

// decodeBody reads a request body holding one JSON object into v, refusing
// unknown fields. Its errors name the field at fault.
func decodeBody(r *http.Request, v any) *apiError {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return &apiError{status: http.StatusRequestEntityTooLarge, typ: typeInvalidRequest, code: codeTooLarge,
			message: "the request body exceeds " + strconv.FormatInt(tooBig.Limit, 10) + " bytes"}
	case err != nil:
		return badRequest(codeInvalidJSON, "the request body could not be read: "+err.Error())
	case len(bytes.TrimSpace(body)) == 0:
		return badRequest(codeInvalidJSON, "the request body is empty: send a JSON object")
	}
	return decodeObject(body, v, "")
}

// decodeObject decodes data, one JSON object and nothing after it, into v,
// refusing unknown fields. Path is the object's place in the request body
// ("budgets[0]"; empty for the body itself): errors name the field at
// fault under it.
func decodeObject(data []byte, v any, path string) *apiError {
	if trimmed := bytes.TrimSpace(data); len(trimmed) == 0 || trimmed[0] != '{' {
		if path == "" {
			return badRequest(codeInvalidJSON, "the request body must be a JSON object")
		}
		return invalidField(path, "must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return badRequest(codeInvalidJSON, "the request body must hold one JSON object and nothing after it")
		}
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest(codeInvalidJSON, "the request body is not valid JSON: "+err.Error())
	case errors.As(err, &typeErr) && fieldPath(path, typeErr.Field) != "":
		return invalidField(fieldPath(path, typeErr.Field), "must be %s, not a JSON %s", jsonKind(typeErr.Type.Kind().String()), typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return invalidField(fieldPath(path, field), "unknown field")
	}
	return badRequest(codeInvalidJSON, "the request body could not be read: "+err.Error())
}

// fieldPath names field of the object at path: "budgets[0].period".
func fieldPath(path, field string) string {
	if path == "" || field == "" {
		return path + field
	}
	return path + "." + field
}

// jsonKind names a Go kind as JSON calls it.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "an integer"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "slice", kind == "array":
		return "an array"
	case kind == "struct", kind == "map":
		return "an object"
	case kind == "bool":
		return "true or false"
	}
	return "a " + kind
}
