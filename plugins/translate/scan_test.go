package translate

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// nest is a value nested n arrays deep.
func nest(n int) string { return strings.Repeat("[", n) + "1" + strings.Repeat("]", n) }

func TestCheckObject(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     error  // nil, ErrNotObject or ErrTooDeep
		dup      string // the duplicate key's message, if one
	}{
		{"empty object", `{}`, nil, ""},
		{"white space", " \n\t\r{\"a\":[1,2]} ", nil, ""},
		{"at the depth limit", `{"a":` + nest(MaxDepth-1) + `}`, nil, ""},
		{"past the depth limit", `{"a":` + nest(MaxDepth) + `}`, ErrTooDeep, ""},
		{"objects count too", `{"a":` + strings.Repeat(`{"a":`, MaxDepth) + `1` + strings.Repeat("}", MaxDepth) + `}`, ErrTooDeep, ""},
		{"brackets in strings do not nest", `{"a":"` + strings.Repeat("[{", 2*MaxDepth) + `"}`, nil, ""},
		{"escaped quotes do not end strings", `{"a":"\"` + strings.Repeat("[", 2*MaxDepth) + `\\"}`, nil, ""},
		{"escaped backslash ends a string", `{"a":"\\","b":"` + strings.Repeat("[", 2*MaxDepth) + `"}`, nil, ""},
		{"an array", `[]`, ErrNotObject, ""},
		{"a string", `"{"`, ErrNotObject, ""},
		{"cut short", `{"a":`, ErrNotObject, ""},
		{"two objects", `{} {}`, ErrNotObject, ""},
		{"nothing", ``, ErrNotObject, ""},
		{"a deep array", strings.Repeat("[", 1000), ErrNotObject, ""},
		{"a key twice", `{"model":"a","model":"b"}`, nil, `duplicate key "model"`},
		{"a key twice in another case", `{"model":"a","MODEL":"b"}`, nil, `duplicate key "MODEL" (the same as "model", ignoring case)`},
		{"a key escaped", `{"model":"a","mod\u0065l":"b"}`, nil, `duplicate key "model"`},
		{"an escaped key in another case", `{"max_tokens":1,"\u004dax_tokens":2}`, nil, `duplicate key "Max_tokens" (the same as "max_tokens", ignoring case)`},
		{"the Kelvin sign folds to k", `{"k":1,"\u212a":2}`, nil, "duplicate key \"\u212a\" (the same as \"k\", ignoring case)"},
		{"the long s folds to s", "{\"stream\":false,\"\u017ftream\":true}", nil, `duplicate key "ſtream" (the same as "stream", ignoring case)`},
		{"a surrogate pair", `{"\ud83d\ude00":1,"😀":2}`, nil, `duplicate key "😀"`},
		{"a key after nested ones", `{"a":{"b":1,"c":[{"d":2}]},"e":"a","a":3}`, nil, `duplicate key "a"`},
		{"nested keys may repeat", `{"a":{"x":1,"x":2},"b":[{"x":1},{"x":2}]}`, nil, ""},
		{"values are not keys", `{"a":"a","b":"a","c":["b","c"]}`, nil, ""},
		{"keys differing by an escape", `{"a\"":1,"a":2,"a\\":3}`, nil, ""},
		{"duplicate in an invalid document", `{"a":1,"a":}`, ErrNotObject, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckObject([]byte(tc.in))
			var dup *DuplicateKeyError
			switch {
			case tc.dup != "":
				if !errors.As(err, &dup) || strings.TrimPrefix(err.Error(), "translate: ") != tc.dup {
					t.Errorf("CheckObject = %v, want %s", err, tc.dup)
				}
			case !errors.Is(err, tc.want) || tc.want == nil && err != nil:
				t.Errorf("CheckObject = %v, want %v", err, tc.want)
			}
			if got, want := IsObject([]byte(tc.in)), tc.want == nil; got != want {
				t.Errorf("IsObject = %v, want %v", got, want)
			}
		})
	}
}

// TestCheckObjectManyKeys: past the keys compared one by one, an index
// finds the duplicate.
func TestCheckObjectManyKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 3 * linearKeys {
		b.WriteString(`"k` + strconv.Itoa(i) + `":1,`)
	}
	for _, last := range []string{`"x":1}`, `"K7":1}`, `"k90":1}`} {
		err := CheckObject([]byte(b.String() + last))
		var dup *DuplicateKeyError
		if want := last != `"x":1}`; errors.As(err, &dup) != want || !want && err != nil {
			t.Errorf("with %s: %v", last, err)
		}
	}
}

// TestDeepNestingDoesNotOverflow: six million levels of nesting, which
// overflow the stack of gjson's recursive validation, are refused by the
// walk before it.
func TestDeepNestingDoesNotOverflow(t *testing.T) {
	deep := []byte(`{"model":"gpt-4o-mini","a":` + strings.Repeat("[", 6_000_000))
	if err := CheckObject(deep); !errors.Is(err, ErrTooDeep) {
		t.Errorf("CheckObject = %v, want ErrTooDeep", err)
	}
	if IsObject(deep) || Valid(deep[27:]) {
		t.Error("a deep document is valid")
	}
	// The translators' own checks: request bodies, answers, stream events
	// and tool call arguments (a string holding JSON).
	if _, err := NewOpenAIToAnthropic().RequestBody(deep); err == nil {
		t.Error("RequestBody took a deep body")
	}
	if _, err := NewAnthropicToOpenAI().ResponseBody(deep); err == nil {
		t.Error("ResponseBody took a deep answer")
	}
	if _, err := NewOpenAIToAnthropic().ResponseStream(1).Event("", deep); err == nil {
		t.Error("a stream took a deep event")
	}
	args, _ := json.Marshal(strings.Repeat("[", 6_000_000))
	call := []byte(`{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":` + string(args) + `}}]}]}`)
	if _, err := NewOpenAIToAnthropic().RequestBody(call); err == nil {
		t.Error("RequestBody took deep tool call arguments")
	}
}

// FuzzCheckObject compares CheckObject with a slow model built on
// encoding/json's tokenizer, which does not recurse: a document it takes
// is a JSON object, nested at most MaxDepth deep, whose top-level keys
// differ as encoding/json would match them (bytes.EqualFold).
//
//	go test ./plugins/translate -run '^$' -fuzz FuzzCheckObject -fuzztime 60s
func FuzzCheckObject(f *testing.F) {
	for _, seed := range []string{`{}`, `{"a":[{"b":"\"]"}],"A":1}`, `{"model":"x","mod\u0065l":"y"}`, `{"k":1,"\u212a":2}`,
		`{"a":` + nest(MaxDepth-1) + `}`, `{"a":` + nest(MaxDepth) + `}`, `{"a\\":1,"a":2}`, `{"\ud800":1,"\ufffd":2}`, "{\"\xff\":1,\"\ufffd\":2}"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := CheckObject(b)
		valid, depth, dup := model(b)
		switch {
		case err == nil && (!valid || depth > MaxDepth || dup):
			t.Fatalf("CheckObject took %q (valid %v, depth %d, duplicate %v)", b, valid, depth, dup)
		case errors.Is(err, ErrTooDeep) && depth <= MaxDepth && valid:
			t.Fatalf("CheckObject found %q too deep at depth %d", b, depth)
		case valid && depth <= MaxDepth && !dup && err != nil && json.Valid(b):
			t.Fatalf("CheckObject refused %q: %v", b, err)
		}
	})
}

// model reads b with encoding/json's tokenizer: whether it is one JSON
// object, how deeply it nests, and whether two top-level keys fold alike.
func model(b []byte) (valid bool, depth int, dup bool) {
	if !json.Valid(b) || !startsObject(b) {
		return false, 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var keys []string
	level, key := 0, false
	for {
		tok, err := dec.Token()
		if err != nil {
			return true, depth, dup
		}
		switch tok := tok.(type) {
		case json.Delim:
			if tok == '{' || tok == '[' {
				level++
				depth = max(depth, level)
				key = level == 1 && tok == '{'
				continue
			}
			level--
		case string:
			if level == 1 && key {
				for _, k := range keys {
					dup = dup || bytes.EqualFold([]byte(k), []byte(tok))
				}
				keys = append(keys, tok)
				key = false
				continue
			}
		}
		key = level == 1 && !key // after a value, a key comes next
	}
}

// BenchmarkCheckObject checks a 2 KB chat request: the walk adds about a
// fifth to gjson's validation, and no allocation.
//
//	go test ./plugins/translate -run '^$' -bench CheckObject
func BenchmarkCheckObject(b *testing.B) {
	body := []byte(`{"model":"gpt-4o-mini","max_tokens":200,"stream":true,"messages":[{"role":"system","content":"` +
		strings.Repeat("You are helpful. ", 60) + `"},{"role":"user","content":"` + strings.Repeat("hello there ", 80) + `"}],` +
		`"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"string"}}}}}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckObject(body); err != nil {
			b.Fatal(err)
		}
	}
}
