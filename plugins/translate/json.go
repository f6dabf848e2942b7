package translate

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/tidwall/gjson"
)

// parseObject parses a request body that must be a JSON object (nested
// at most [MaxDepth] deep).
func parseObject(raw []byte) (gjson.Result, error) {
	if !IsObject(raw) {
		return gjson.Result{}, errNotObject
	}
	return gjson.ParseBytes(raw), nil
}

// members calls fn with each member of the object v, in the document's
// order, and stops at the first error. Null members are skipped: JSON
// clients send null for "not set".
func members(v gjson.Result, fn func(key string, value gjson.Result) error) error {
	var err error
	v.ForEach(func(k, value gjson.Result) bool {
		if value.Type != gjson.Null {
			err = fn(k.Str, value)
		}
		return err == nil
	})
	return err
}

// items calls fn with each element of the array v and its index, and stops
// at the first error.
func items(v gjson.Result, fn func(i int, item gjson.Result) error) error {
	var err error
	i := 0
	v.ForEach(func(_, item gjson.Result) bool {
		err = fn(i, item)
		i++
		return err == nil
	})
	return err
}

// isSet reports whether a member is present and not null.
func isSet(v gjson.Result) bool { return v.Exists() && v.Type != gjson.Null }

// str returns v, which must be a string.
func str(v gjson.Result, field string) (string, error) {
	if v.Type != gjson.String {
		return "", refuse(field, "must be a string")
	}
	return v.Str, nil
}

// object returns v, which must be a JSON object.
func object(v gjson.Result, field string) (gjson.Result, error) {
	if !v.IsObject() {
		return v, refuse(field, "must be an object")
	}
	return v, nil
}

// array returns v, which must be a JSON array.
func array(v gjson.Result, field string) (gjson.Result, error) {
	if !v.IsArray() {
		return v, refuse(field, "must be an array")
	}
	return v, nil
}

// number returns v's JSON text, which must be a number.
func number(v gjson.Result, field string) (json.RawMessage, error) {
	if v.Type != gjson.Number {
		return nil, refuse(field, "must be a number")
	}
	return json.RawMessage(v.Raw), nil
}

// integer returns v, which must be a whole number.
func integer(v gjson.Result, field string) (int64, error) {
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	if v.Type != gjson.Number || err != nil {
		return 0, refuse(field, "must be an integer")
	}
	return n, nil
}

// boolean returns v, which must be true or false.
func boolean(v gjson.Result, field string) (bool, error) {
	if !v.IsBool() {
		return false, refuse(field, "must be true or false")
	}
	return v.Bool(), nil
}

// stringList returns v, a string or an array of strings, as a list.
func stringList(v gjson.Result, field string) ([]string, error) {
	if v.Type == gjson.String {
		return []string{v.Str}, nil
	}
	if !v.IsArray() {
		return nil, refuse(field, "must be a string or an array of strings")
	}
	var out []string
	err := items(v, func(i int, item gjson.Result) error {
		s, err := str(item, field+index(i))
		out = append(out, s)
		return err
	})
	return out, err
}

// compactObject returns the JSON object text s compacted; ok is false if s
// is not a JSON object (nested at most [MaxDepth] deep).
func compactObject(s string) (json.RawMessage, bool) {
	if !IsObject([]byte(s)) {
		return nil, false
	}
	var buf bytes.Buffer
	if json.Compact(&buf, []byte(s)) != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

// index formats an array index for a field path: "[3]".
func index(i int) string { return "[" + strconv.Itoa(i) + "]" }

// marshal encodes v as compact JSON without escaping <, > and &, so that
// text reads the same on both sides.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// appendEvent appends one server-sent event: "event: <name>" (if name is
// set), "data: <data>" and the blank line that ends it.
func appendEvent(dst []byte, name string, data []byte) []byte {
	if name != "" {
		dst = append(dst, "event: "...)
		dst = append(dst, name...)
		dst = append(dst, '\n')
	}
	dst = append(dst, "data: "...)
	dst = append(dst, data...)
	return append(dst, "\n\n"...)
}
