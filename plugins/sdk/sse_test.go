package sdk_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// event is what the scanner returned for one event.
type event struct{ raw, data, name string }

func scanAll(t *testing.T, r io.Reader) ([]event, error) {
	t.Helper()
	s := sdk.NewSSEScanner(r)
	var events []event
	for i := 0; s.Next(); i++ {
		if i > 1000 {
			t.Fatal("scanner does not end")
		}
		events = append(events, event{string(s.Raw()), string(s.Data()), s.Event()})
	}
	return events, s.Err()
}

func TestSSEScanner(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want []event
	}{
		{"empty", "", nil},
		{"openai stream", "data: {\"a\":1}\n\ndata: [DONE]\n\n", []event{
			{"data: {\"a\":1}\n\n", `{"a":1}`, ""},
			{"data: [DONE]\n\n", "[DONE]", ""},
		}},
		{"crlf", "data: x\r\n\r\ndata: y\r\n\r\n", []event{{"data: x\r\n\r\n", "x", ""}, {"data: y\r\n\r\n", "y", ""}}},
		{"multi-line data", "data: a\ndata:b\ndata:  c\n\n", []event{{"data: a\ndata:b\ndata:  c\n\n", "a\nb\n c", ""}}},
		{"named event", "event: message_start\ndata: {}\n\n", []event{{"event: message_start\ndata: {}\n\n", "{}", "message_start"}}},
		{"comment only", ": OPENROUTER PROCESSING\n\ndata: x\n\n", []event{{": OPENROUTER PROCESSING\n\n", "", ""}, {"data: x\n\n", "x", ""}}},
		{"leading blank lines stay with the next event", "\n\ndata: x\n\n", []event{{"\n\ndata: x\n\n", "x", ""}}},
		{"unterminated last event", "data: x\n\ndata: y", []event{{"data: x\n\n", "x", ""}, {"data: y", "y", ""}}},
		{"last event without blank line", "data: x\n", []event{{"data: x\n", "x", ""}}},
		{"trailing blank lines", "data: x\n\n\n\n", []event{{"data: x\n\n", "x", ""}, {"\n\n", "", ""}}},
		{"field without colon", "data\n\n", []event{{"data\n\n", "", ""}}},
		{"id and retry ignored", "id: 7\nretry: 10\ndata: x\n\n", []event{{"id: 7\nretry: 10\ndata: x\n\n", "x", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []struct {
				name string
				r    io.Reader
			}{{"whole", strings.NewReader(tc.in)}, {"byte by byte", iotest.OneByteReader(strings.NewReader(tc.in))}} {
				got, err := scanAll(t, r.r)
				if err != nil {
					t.Fatalf("%s: Err = %v", r.name, err)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("%s: events\n got  %q\n want %q", r.name, got, tc.want)
				}
			}
		})
	}
}

func TestSSEScannerLongLine(t *testing.T) {
	long := strings.Repeat("x", 200<<10) // longer than bufio's buffer
	got, err := scanAll(t, strings.NewReader("data: "+long+"\n\n"))
	if err != nil || len(got) != 1 || got[0].data != long {
		t.Fatalf("events %d, err %v", len(got), err)
	}
}

func TestSSEScannerTooLarge(t *testing.T) {
	r := io.MultiReader(strings.NewReader("data: "), bytes.NewReader(make([]byte, sdk.MaxSSEEventBytes+1)))
	_, err := scanAll(t, r)
	if !errors.Is(err, sdk.ErrSSEEventTooLarge) {
		t.Fatalf("Err = %v, want ErrSSEEventTooLarge", err)
	}
}

func TestSSEScannerReadError(t *testing.T) {
	boom := errors.New("boom")
	got, err := scanAll(t, io.MultiReader(strings.NewReader("data: x\n\ndata: y"), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) || len(got) != 1 {
		t.Fatalf("events %q, Err %v; want one event, then boom", got, err)
	}
}

// FuzzSSEScanner checks the scanner never panics and loses or adds no byte:
// its events' Raw, back to back, are the input.
func FuzzSSEScanner(f *testing.F) {
	for _, s := range []string{"", "data: x\n\n", "data: a\r\ndata: b\r\n\r\n: c\n\nevent: e\ndata\n", "\n\n\ndata: [DONE]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := sdk.NewSSEScanner(strings.NewReader(in))
		var out strings.Builder
		for i := 0; s.Next(); i++ {
			if i > len(in) {
				t.Fatal("more events than input bytes")
			}
			out.Write(s.Raw())
		}
		if s.Err() != nil {
			t.Fatalf("Err = %v", s.Err())
		}
		if out.String() != in {
			t.Fatalf("Raw concatenation %q != input %q", out.String(), in)
		}
	})
}

func ExampleSSEScanner() {
	stream := "data: {\"n\":1}\n\n: keep-alive\n\ndata: [DONE]\n\n"
	s := sdk.NewSSEScanner(strings.NewReader(stream))
	for s.Next() {
		fmt.Printf("%q\n", s.Data())
	}
	// Output:
	// "{\"n\":1}"
	// ""
	// "[DONE]"
}

func TestSSEScannerReady(t *testing.T) {
	for _, tc := range []struct {
		rest string // buffered after the first event
		want bool
	}{
		{"data: b\n\n", true},
		{"data: b\r\n\r\n", true},
		{": comment\n\n", true},
		{"\n\ndata: b\n\n", true},
		{"\n\n", false}, // blank lines only: Next would wait
		{"data: b\n", false},
		{"data: b", false},
		{"", false},
	} {
		s := sdk.NewSSEScanner(strings.NewReader("data: a\n\n" + tc.rest))
		if s.Ready() {
			t.Errorf("%q: ready before anything was read", tc.rest)
		}
		if !s.Next() || string(s.Data()) != "a" {
			t.Fatalf("%q: first event %q", tc.rest, s.Data())
		}
		if got := s.Ready(); got != tc.want {
			t.Errorf("Ready with %q buffered = %v, want %v", tc.rest, got, tc.want)
		}
	}
}
