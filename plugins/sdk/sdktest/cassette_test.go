package sdktest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadCassette(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, json, err string }{
		{"ok", `{"request":{"endpoint":"chat/completions","body":{"a":1},"deadline":"50ms"},"want":{"result":"timeout","retry_after":"1s"}}`, ""},
		{"unknown field", `{"requets":{}}`, "unknown field"},
		{"unknown fault", `{"upstream_response":{"fault":"explode"}}`, "unknown fault"},
		{"bad deadline", `{"request":{"deadline":"soon"}}`, "deadline"},
		{"bad retry after", `{"want":{"retry_after":"later"}}`, "retry_after"},
		{"bad result", `{"want":{"result":"meh"}}`, "unknown result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".json")
			if err := os.WriteFile(path, []byte(tc.json), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := loadCassette(path)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("loadCassette: %v", err)
			case tc.err == "" && c.Name != tc.name:
				t.Errorf("Name = %q, want %q", c.Name, tc.name)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("loadCassette error = %v, want one mentioning %q", err, tc.err)
			}
		})
	}
	if _, err := loadCassettes(t.TempDir()); err == nil {
		t.Error("loadCassettes of an empty directory succeeded")
	}
}

func TestBodyBytes(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{``, ``},
		{`"data: x\n\n"`, "data: x\n\n"},
		{`"key {{secret}}"`, "key " + Secret},
		{"{\n  \"a\": [1, 2],\n  \"k\": \"{{secret}}\"\n}", `{"a":[1,2],"k":"` + Secret + `"}`},
	} {
		got, err := bodyBytes([]byte(tc.raw))
		if err != nil || string(got) != tc.want {
			t.Errorf("bodyBytes(%q) = %q, %v; want %q", tc.raw, got, err, tc.want)
		}
	}
}

func TestJSONEqual(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		eq   bool
	}{
		{`{"a":1,"b":[true,null]}`, `{ "b": [true, null], "a": 1 }`, true},
		{`{"n":1}`, `{"n":1.0}`, false}, // numbers compare as written
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`{"big":12345678901234567890}`, `{"big":12345678901234567890}`, true},
	} {
		if eq, err := jsonEqual([]byte(tc.a), []byte(tc.b)); err != nil || eq != tc.eq {
			t.Errorf("jsonEqual(%s, %s) = %v, %v; want %v", tc.a, tc.b, eq, err, tc.eq)
		}
	}
	if _, err := jsonEqual([]byte(`{`), []byte(`{}`)); err == nil {
		t.Error("jsonEqual of invalid JSON succeeded")
	}
}
