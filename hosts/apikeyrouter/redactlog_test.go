package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

func TestRedactWriter(t *testing.T) {
	var set secretSet
	for _, s := range []string{"sk-short", "sk-abc", "", "sk-live-1234567890", "sk-live-1234567890-long", `pa<s&"w\rd`} {
		set.add(s)
	}
	set.add("sk-live-1234567890") // again: no second entry
	for _, tc := range []struct{ in, want string }{
		{"no secret here", "no secret here"},
		{"key sk-live-1234567890 and again sk-live-1234567890", "key [REDACTED] and again [REDACTED]"},
		{"the longer one sk-live-1234567890-long whole", "the longer one [REDACTED] whole"},
		{"sk-short is 8 bytes: redacted; sk-abc is too short to", "[REDACTED] is 8 bytes: redacted; sk-abc is too short to"},
		{`raw pa<s&"w\rd`, "raw [REDACTED]"},
		{`{"k":"pa\u003cs\u0026\"w\\rd"}`, `{"k":"[REDACTED]"}`},
		{`{"k":"pa<s&\"w\\rd"}`, `{"k":"[REDACTED]"}`},
	} {
		var out bytes.Buffer
		w := &redactWriter{w: &out, secrets: &set}
		if n, err := w.Write([]byte(tc.in)); n != len(tc.in) || err != nil {
			t.Errorf("Write(%q) = %d, %v", tc.in, n, err)
		}
		if out.String() != tc.want {
			t.Errorf("Write(%q) wrote %q, want %q", tc.in, out.String(), tc.want)
		}
	}
	if n := len(set.cur.Load().order); n != 4 {
		t.Errorf("%d secrets kept, want 4", n)
	}
}

// TestRedactWriterHclog: a JSON hclog line carrying a secret, in its
// message or a field, is written redacted.
func TestRedactWriterHclog(t *testing.T) {
	var set secretSet
	secret := `sk-<json>&"quoted"-0001`
	set.add(secret)
	var out bytes.Buffer
	log := hclog.New(&hclog.LoggerOptions{Output: &redactWriter{w: &out, secrets: &set}, JSONFormat: true})
	log.Error("panic: boom "+secret, "secret", secret)
	if got := out.String(); strings.Contains(got, "quoted") || strings.Count(got, redacted) != 2 {
		t.Errorf("logged %s", got)
	}
}

func TestSecretSetBounded(t *testing.T) {
	var set secretSet
	for i := range maxSecrets + 10 {
		set.add(fmt.Sprintf("sk-secret-%06d", i))
	}
	l := set.cur.Load()
	if len(l.order) != maxSecrets || l.has["sk-secret-000009"] != nil || l.has["sk-secret-000010"] == nil {
		t.Errorf("kept %d secrets, oldest %s; want the newest %d", len(l.order), l.order[0], maxSecrets)
	}
}
