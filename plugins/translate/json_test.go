package translate

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// wantJSON fails t unless got and want hold the same JSON value (numbers
// compared as written).
func wantJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	g, err := decodeJSON(got)
	if err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, got)
	}
	w, err := decodeJSON([]byte(want))
	if err != nil {
		t.Fatalf("bad expectation: %v\n%s", err, want)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got\n %s\nwant\n %s", got, compact(want))
	}
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func compact(s string) string {
	var buf bytes.Buffer
	if json.Compact(&buf, []byte(s)) != nil {
		return s
	}
	return buf.String()
}

func TestMarshalKeepsMarkup(t *testing.T) {
	b, err := marshal(map[string]string{"text": "<b> & </b>"})
	if err != nil || string(b) != `{"text":"<b> & </b>"}` {
		t.Errorf("marshal = %s, %v", b, err)
	}
}

func TestAppendEvent(t *testing.T) {
	if got := string(appendEvent(nil, "ping", []byte(`{"type":"ping"}`))); got != "event: ping\ndata: {\"type\":\"ping\"}\n\n" {
		t.Errorf("named event %q", got)
	}
	if got := string(appendEvent([]byte("x"), "", []byte("[DONE]"))); got != "xdata: [DONE]\n\n" {
		t.Errorf("unnamed event %q", got)
	}
}

func TestFieldError(t *testing.T) {
	e := refuse("messages[0].name", "has no Anthropic equivalent")
	if e.Error() != "translate: messages[0].name: has no Anthropic equivalent" || e.Message() != "messages[0].name: has no Anthropic equivalent" {
		t.Errorf("Error %q, Message %q", e.Error(), e.Message())
	}
	if errNotObject.Message() != "the request body is not a JSON object" {
		t.Errorf("Message %q", errNotObject.Message())
	}
}
