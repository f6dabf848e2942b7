package translate

import "github.com/tidwall/gjson"

// IsObject reports whether b is one valid JSON object, without copying it
// (gjson.ParseBytes(b).IsObject() copies b to a string to look at its
// first byte).
func IsObject(b []byte) bool {
	if !gjson.ValidBytes(b) {
		return false
	}
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c == '{'
	}
	return false
}
