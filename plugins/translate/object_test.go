package translate

import "testing"

func TestIsObject(t *testing.T) {
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
		if got := IsObject([]byte(in)); got != want {
			t.Errorf("IsObject(%q) = %v, want %v", in, got, want)
		}
	}
}
