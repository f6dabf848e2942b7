package sdk

import "testing"

func TestIsJSONObject(t *testing.T) {
	for in, want := range map[string]bool{
		`{}`:                    true,
		" \n\t\r{\"a\":[1,2]} ": true,
		`[]`:                    false,
		`"{"`:                   false,
		`{"a":`:                 false,
		`{} {}`:                 false,
		`12`:                    false,
		``:                      false,
		`   `:                   false,
	} {
		if got := IsJSONObject([]byte(in)); got != want {
			t.Errorf("IsJSONObject(%q) = %v, want %v", in, got, want)
		}
	}
}
