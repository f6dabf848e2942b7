package abi

import (
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// The hot messages — RouteRequest, Decision, Event with its Outcome, and
// Effects — have hand-written codecs (hot.go): reflection is slow, and ten
// times slower again in WebAssembly. They use msgpack's own Encoder and
// Decoder primitives, so their bytes are the ones reflection would write
// (a differential test holds them to that), and they decode as strictly:
// unknown fields and wrong types are errors.

// writer writes a map's entries, keeping the first error.
type writer struct {
	enc *msgpack.Encoder
	err error
}

func (w *writer) header(n int) {
	if w.err == nil {
		w.err = w.enc.EncodeMapLen(n)
	}
}

func (w *writer) key(k string) bool {
	if w.err == nil {
		w.err = w.enc.EncodeString(k)
	}
	return w.err == nil
}

func (w *writer) str(k, v string) {
	if w.key(k) {
		w.err = w.enc.EncodeString(v)
	}
}

func (w *writer) int(k string, v int64) {
	if w.key(k) {
		w.err = w.enc.EncodeInt(v)
	}
}

func (w *writer) uint(k string, v uint64) {
	if w.key(k) {
		w.err = w.enc.EncodeUint(v)
	}
}

func (w *writer) bool(k string, v bool) {
	if w.key(k) {
		w.err = w.enc.EncodeBool(v)
	}
}

func (w *writer) value(k string, v msgpack.CustomEncoder) {
	if w.key(k) {
		w.err = v.EncodeMsgpack(w.enc)
	}
}

// any writes a cold value by reflection.
func (w *writer) any(k string, v any) {
	if w.key(k) {
		w.err = w.enc.Encode(v)
	}
}

func (w *writer) strings(k string, v []string) {
	if w.key(k) {
		w.err = w.enc.EncodeArrayLen(len(v))
		for _, s := range v {
			if w.err == nil {
				w.err = w.enc.EncodeString(s)
			}
		}
	}
}

// count returns how many of the conditions hold: the entries of a map
// whose empty optional fields are left out.
func count(present ...bool) int {
	n := 0
	for _, p := range present {
		if p {
			n++
		}
	}
	return n
}

// reader reads a map's entries.
type reader struct {
	dec *msgpack.Decoder
	buf [64]byte
}

// entries reads a map header; -1 means nil.
func (r *reader) entries() (int, error) { return r.dec.DecodeMapLen() }

// key reads a map key into the reader's buffer, without allocating. A key
// too long for the buffer is no field of ours.
func (r *reader) key(typ string) ([]byte, error) {
	c, err := r.dec.PeekCode()
	if err != nil {
		return nil, err
	}
	var n int
	switch {
	case msgpcode.IsFixedString(c):
		if err := r.dec.ReadFull(r.buf[:1]); err != nil {
			return nil, err
		}
		n = int(c & msgpcode.FixedStrMask)
	case c == msgpcode.Str8:
		if err := r.dec.ReadFull(r.buf[:2]); err != nil {
			return nil, err
		}
		n = int(r.buf[1])
	default:
		s, err := r.dec.DecodeString() // str16/32 or the wrong type
		if err != nil {
			return nil, fmt.Errorf("msgpack: %s: %w", typ, err)
		}
		return nil, unknownField(typ, s)
	}
	if n > len(r.buf) {
		if err := r.dec.ReadFull(make([]byte, n)); err != nil {
			return nil, err
		}
		return nil, unknownField(typ, "(long)")
	}
	if err := r.dec.ReadFull(r.buf[:n]); err != nil {
		return nil, err
	}
	return r.buf[:n], nil
}

func unknownField(typ string, k string) error {
	return fmt.Errorf("msgpack: %s: unknown field %q", typ, k)
}

func (r *reader) int() (int64, error)   { return r.dec.DecodeInt64() }
func (r *reader) uint() (uint64, error) { return r.dec.DecodeUint64() }

func (r *reader) uint8() (uint8, error) {
	v, err := r.dec.DecodeUint64()
	if err == nil && v > 255 {
		err = fmt.Errorf("msgpack: %d does not fit a byte", v)
	}
	return uint8(v), err
}

func (r *reader) str() (string, error) { return r.dec.DecodeString() }
func (r *reader) bool() (bool, error)  { return r.dec.DecodeBool() }

func (r *reader) strings() ([]string, error) {
	n, err := r.dec.DecodeArrayLen()
	if err != nil || n <= 0 {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		if out[i], err = r.dec.DecodeString(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
