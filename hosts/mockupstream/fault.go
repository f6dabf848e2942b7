package mockupstream

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"time"
)

// Fault is what goes wrong for one key's requests. The zero value is no
// fault. Faults combine: a HeaderDelay then a Status, say, or a ChunkDelay
// and a Stall.
type Fault struct {
	// Status, when non-zero, answers every request with this status and an
	// OpenAI-shaped error body instead of the normal answer: 429 (rate limit
	// or quota), 401, 500, 502, 503 …
	Status int
	// ErrorCode is the error body's "code". Empty means the status's usual
	// code ("rate_limit_exceeded" for 429, "invalid_api_key" for 401, none
	// otherwise); "insufficient_quota" with 429 is OpenAI's quota-exhausted
	// answer.
	ErrorCode string
	// RetryAfter, when non-zero with Status, is sent as retry-after in whole
	// seconds (rounded up), or as retry-after-ms if RetryAfterMillis.
	RetryAfter       time.Duration
	RetryAfterMillis bool
	// HeaderDelay is waited before the response headers.
	HeaderDelay time.Duration
	// ChunkDelay is waited before each stream chunk after the first.
	ChunkDelay time.Duration
	// Stall stops the answer at that point until the client goes away (or
	// the server closes): [BeforeHeaders], or [MidStream] (after the first
	// stream chunk, or half of a JSON body).
	Stall Point
	// Reset hijacks the connection and closes it with a TCP reset at that
	// point.
	Reset Point
	// Malformed sends a JSON body cut short, or a stream whose second event
	// is not JSON.
	Malformed bool
	// Times limits the fault to the key's next Times requests; zero means
	// until cleared.
	Times int
}

// Point is where in an answer a fault strikes.
type Point uint8

// Point values.
const (
	// Never: the fault does not strike.
	Never Point = iota
	// BeforeHeaders: before any byte of the response.
	BeforeHeaders
	// MidStream: after the headers and the first stream chunk (or half of a
	// JSON body).
	MidStream
)

var pointNames = [...]string{"", "before_headers", "mid_stream"}

// String returns the point's snake_case name; Never is "".
func (p Point) String() string {
	if int(p) < len(pointNames) {
		return pointNames[p]
	}
	return fmt.Sprintf("point(%d)", uint8(p))
}

// MarshalText implements encoding.TextMarshaler.
func (p Point) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Point) UnmarshalText(b []byte) error {
	for i, name := range pointNames {
		if name == string(b) {
			*p = Point(i)
			return nil
		}
	}
	return fmt.Errorf("mockupstream: unknown fault point %q", b)
}

// faultJSON is a Fault's JSON form, with durations as Go duration strings
// ("1.5s") so curl users can write them.
type faultJSON struct {
	Status           int    `json:"status,omitempty"`
	ErrorCode        string `json:"error_code,omitempty"`
	RetryAfter       string `json:"retry_after,omitempty"`
	RetryAfterMillis bool   `json:"retry_after_ms,omitempty"`
	HeaderDelay      string `json:"header_delay,omitempty"`
	ChunkDelay       string `json:"chunk_delay,omitempty"`
	Stall            Point  `json:"stall,omitempty"`
	Reset            Point  `json:"reset,omitempty"`
	Malformed        bool   `json:"malformed,omitempty"`
	Times            int    `json:"times,omitempty"`
}

// MarshalJSON implements json.Marshaler.
func (f Fault) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultJSON{
		Status:           f.Status,
		ErrorCode:        f.ErrorCode,
		RetryAfter:       durationText(f.RetryAfter),
		RetryAfterMillis: f.RetryAfterMillis,
		HeaderDelay:      durationText(f.HeaderDelay),
		ChunkDelay:       durationText(f.ChunkDelay),
		Stall:            f.Stall,
		Reset:            f.Reset,
		Malformed:        f.Malformed,
		Times:            f.Times,
	})
}

// UnmarshalJSON implements json.Unmarshaler; unknown fields are errors.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("mockupstream: fault: %w", err)
	}
	out := Fault{
		Status:           j.Status,
		ErrorCode:        j.ErrorCode,
		RetryAfterMillis: j.RetryAfterMillis,
		Stall:            j.Stall,
		Reset:            j.Reset,
		Malformed:        j.Malformed,
		Times:            j.Times,
	}
	for _, d := range []struct {
		dst  *time.Duration
		text string
	}{{&out.RetryAfter, j.RetryAfter}, {&out.HeaderDelay, j.HeaderDelay}, {&out.ChunkDelay, j.ChunkDelay}} {
		if d.text == "" {
			continue
		}
		v, err := time.ParseDuration(d.text)
		if err != nil {
			return fmt.Errorf("mockupstream: fault: %w", err)
		}
		*d.dst = v
	}
	*f = out
	return nil
}

func durationText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

// Interface guards
var (
	_ json.Marshaler           = Fault{}
	_ json.Unmarshaler         = (*Fault)(nil)
	_ encoding.TextMarshaler   = Point(0)
	_ encoding.TextUnmarshaler = (*Point)(nil)
)
