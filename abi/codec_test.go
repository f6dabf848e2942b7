package abi_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/vmihailenco/msgpack/v5"
)

// roundTrip decodes data as a T and, if that succeeds, checks the codec's
// promises: encoding gives canonical bytes that decode to the same value and
// encode to the same bytes again.
func roundTrip[T any](t *testing.T, data []byte) {
	var v T
	if err := abi.Decode(data, &v); err != nil {
		if c := abi.CodeOf(err); c != abi.Malformed && c != abi.VersionMismatch && c != abi.TooLarge {
			t.Fatalf("decode %T failed with code %s: %v", v, c, err)
		}
		return
	}
	first, err := abi.Encode(&v)
	if err != nil {
		t.Fatalf("encode %T: %v", v, err)
	}
	var again T
	if err := abi.Decode(first, &again); err != nil {
		t.Fatalf("decode of our own encoding of %T: %v", v, err)
	}
	second, err := abi.Encode(&again)
	if err != nil {
		t.Fatalf("re-encode %T: %v", v, err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("%T re-encodes differently:\n%x\n%x", v, first, second)
	}
	var third T
	if err := abi.Decode(second, &third); err != nil || !reflect.DeepEqual(again, third) {
		t.Fatalf("%T decode is not stable: %v", v, err)
	}
}

func roundTripAll(t *testing.T, data []byte) {
	roundTrip[abi.Event](t, data)
	roundTrip[abi.Effects](t, data)
	roundTrip[abi.RouteRequest](t, data)
	roundTrip[abi.Decision](t, data)
	roundTrip[abi.Snapshot](t, data)
	roundTrip[abi.VersionInfo](t, data)
}

// vectorMessages returns every message in the golden vectors.
func vectorMessages(t testing.TB) [][]byte {
	files, err := filepath.Glob("../testdata/vectors/*.msgpack")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors: %v", err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var items []map[string]any
		if err := msgpack.Unmarshal(b, &items); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, it := range items {
			for _, k := range []string{"in", "out"} {
				if m, ok := it[k].([]byte); ok {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

// FuzzDecode feeds arbitrary bytes to every message decoder: it must never
// panic, and what decodes must round-trip canonically.
func FuzzDecode(f *testing.F) {
	for _, m := range vectorMessages(f) {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, data []byte) { roundTripAll(t, data) })
}

func TestVectorMessagesRoundTrip(t *testing.T) {
	msgs := vectorMessages(t)
	if len(msgs) < 20 {
		t.Fatalf("only %d messages in the vectors", len(msgs))
	}
	for _, m := range msgs {
		roundTripAll(t, m)
	}
}

func TestDecodeChecksVersionFirst(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		code abi.Code
	}{
		{"empty", nil, abi.Malformed},
		{"not a map", []byte{0x91, 0x01}, abi.Malformed},
		{"v not first", []byte{0x82, 0xa3, 'n', 'o', 'w', 0x01, 0xa1, 'v', 0x01}, abi.Malformed},
		{"wrong version", []byte{0x81, 0xa1, 'v', 0x02}, abi.VersionMismatch},
		{"wrong version, unknown field", []byte{0x82, 0xa1, 'v', 0x02, 0xa3, 'z', 'z', 'z', 0x01}, abi.VersionMismatch},
		{"wrong version first, right one last", []byte{0x82, 0xa1, 'v', 0x02, 0xa1, 'v', 0x01}, abi.VersionMismatch},
		{"version as uint8", []byte{0x81, 0xa1, 'v', 0xcc, 0x01}, abi.OK},
		{"version in a map16", []byte{0xde, 0x00, 0x01, 0xa1, 'v', 0x01}, abi.OK},
		{"version as string", []byte{0x81, 0xa1, 'v', 0xa1, '1'}, abi.Malformed},
		{"unknown field", []byte{0x82, 0xa1, 'v', 0x01, 0xa3, 'z', 'z', 'z', 0x01}, abi.Malformed},
		{"trailing byte", []byte{0x81, 0xa1, 'v', 0x01, 0xc0}, abi.Malformed},
		{"truncated", []byte{0x82, 0xa1, 'v', 0x01, 0xa3, 'n', 'o'}, abi.Malformed},
		{"absurd array", []byte{0x82, 0xa1, 'v', 0x01, 0xa7, 'e', 'x', 'c', 'l', 'u', 'd', 'e', 0xdd, 0xff, 0xff, 0xff, 0xff}, abi.Malformed},
		{"too large", make([]byte, abi.MaxMessageSize+1), abi.TooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var req abi.RouteRequest
			err := abi.Decode(tc.in, &req)
			if got := abi.CodeOf(err); got != tc.code {
				t.Fatalf("code %s (%v), want %s", got, err, tc.code)
			}
			if want := (abi.RouteRequest{V: abi.Version}); tc.code == abi.OK && !reflect.DeepEqual(req, want) {
				t.Fatalf("decoded %+v, want %+v", req, want)
			}
			if tc.code != abi.OK && !reflect.DeepEqual(req, abi.RouteRequest{}) {
				t.Fatalf("a failed decode left %+v", req)
			}
		})
	}
}

func TestEncodeIsCanonical(t *testing.T) {
	// Integers take their shortest form, empty optional fields (even the
	// empty objective struct) are left out and fields keep declaration order.
	got, err := abi.Encode(&abi.RouteRequest{V: abi.Version, Now: 5, Model: "m", Exclude: []abi.KeyID{}})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x83, 0xa1, 'v', 0x01, 0xa3, 'n', 'o', 'w', 0x05, 0xa5, 'm', 'o', 'd', 'e', 'l', 0xa1, 'm'}
	if !bytes.Equal(got, want) {
		t.Fatalf("got  %x\nwant %x", got, want)
	}
}

func TestEnumNamesRoundTrip(t *testing.T) {
	for g := abi.GoalDefault; g <= abi.GoalQuota; g++ {
		if back, err := abi.ParseGoal(g.String()); err != nil || back != g {
			t.Errorf("goal %d: %q -> %d, %v", g, g, back, err)
		}
	}
	if _, err := abi.ParseGoal("cheapest"); err == nil {
		t.Error("an unknown goal name parsed")
	}
}

func TestEnumsTravelAsIntegers(t *testing.T) {
	got, err := abi.Encode(&abi.Weight{Goal: abi.GoalCost, Milli: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x82, 0xa4, 'g', 'o', 'a', 'l', 0x03, 0xa5, 'm', 'i', 'l', 'l', 'i', 0x01}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x, want %x", got, want)
	}
	var w abi.Weight
	if err := msgpack.Unmarshal([]byte{0x81, 0xa4, 'g', 'o', 'a', 'l', 0xcd, 0x01, 0x00}, &w); err == nil {
		t.Fatal("an enum of 256 was accepted")
	}
}

// TestDuplicateVersionField is FuzzDecode's first crasher: "v" twice, the
// second not 1. The version check read the first, decoding kept the last,
// and re-encoding gave a message of version 48.
func TestDuplicateVersionField(t *testing.T) {
	in := []byte("\x82\xa1v\x01\xa1v0")
	var ev abi.Event
	if err := abi.Decode(in, &ev); abi.CodeOf(err) != abi.VersionMismatch {
		t.Fatalf("got %v, want version_mismatch", err)
	}
	var s abi.Snapshot // the reflection path too
	if err := abi.Decode(in, &s); abi.CodeOf(err) != abi.VersionMismatch {
		t.Fatalf("snapshot: got %v, want version_mismatch", err)
	}
}

// TestDecodeWritesOverOutcome: decoding into an abi.Event an earlier decode
// filled reuses its abi.Outcome and abi.RateLimit and leaves nothing of the
// earlier message behind.
func TestDecodeWritesOverOutcome(t *testing.T) {
	decode := func(e *abi.Event, v *abi.Event) {
		t.Helper()
		b, err := abi.Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := abi.Decode(b, e); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(e, v) {
			t.Fatalf("decoded %+v, want %+v", e, v)
		}
	}
	var e abi.Event
	decode(&e, &abi.Event{V: abi.Version, Now: 1, Outcome: &abi.Outcome{Attempt: 7, Status: 429, RetryAfter: abi.Second,
		RateLimit: &abi.RateLimit{LimitRequests: 10, RemainingRequests: 0}}})
	outcome, rateLimit := e.Outcome, e.Outcome.RateLimit
	decode(&e, &abi.Event{V: abi.Version, Now: 2, Outcome: &abi.Outcome{Attempt: 8, Status: 200, RateLimit: &abi.RateLimit{LimitTokens: 5}}})
	if e.Outcome != outcome || e.Outcome.RateLimit != rateLimit {
		t.Error("the second decode allocated a new Outcome or RateLimit")
	}
	decode(&e, &abi.Event{V: abi.Version, Now: 3, Outcome: &abi.Outcome{Attempt: 9, Status: 200}})
	decode(&e, &abi.Event{V: abi.Version, Now: 4, Provider: &abi.Provider{ID: "openai"}})
}
