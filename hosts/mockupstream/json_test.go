package mockupstream

import (
	"encoding/json"
	"testing"
)

// FuzzAppendString checks the hand-written JSON string encoder against
// encoding/json: both decode to the same string.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "hello", "quote \" backslash \\ nl \n tab \t", "\x00\x1f\x7f", "é 日本 🎉", "bad \xff\xfe utf8", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mine := appendString(nil, s)
		var got string
		if err := json.Unmarshal(mine, &got); err != nil {
			t.Fatalf("appendString(%q) = %s: not JSON: %v", s, mine, err)
		}
		std, _ := json.Marshal(s)
		var want string
		_ = json.Unmarshal(std, &want)
		if got != want {
			t.Fatalf("appendString(%q) decodes to %q, encoding/json's to %q", s, got, want)
		}
	})
}
