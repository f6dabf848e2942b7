package abi

import (
	"encoding/binary"
	"math"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Text is UTF-8 text held as bytes, so that the core can rebuild it in a
// reused buffer without allocating. It travels as a MessagePack str and reads
// as a JSON string.
type Text []byte

// String returns the text.
func (t Text) String() string { return string(t) }

// MarshalText implements encoding.TextMarshaler.
func (t Text) MarshalText() ([]byte, error) { return t, nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *Text) UnmarshalText(b []byte) error {
	*t = append((*t)[:0], b...)
	return nil
}

// EncodeMsgpack writes t as a str, without copying it into a string.
func (t Text) EncodeMsgpack(enc *msgpack.Encoder) error {
	var hdr [5]byte
	h := hdr[:0]
	switch n := len(t); {
	case n < 32:
		h = append(h, msgpcode.FixedStrLow|byte(n))
	case n <= math.MaxUint8:
		h = append(h, msgpcode.Str8, byte(n))
	case n <= math.MaxUint16:
		h = binary.BigEndian.AppendUint16(append(h, msgpcode.Str16), uint16(n))
	default:
		h = binary.BigEndian.AppendUint32(append(h, msgpcode.Str32), uint32(n))
	}
	w := enc.Writer()
	if _, err := w.Write(h); err != nil {
		return err
	}
	_, err := w.Write(t)
	return err
}

// DecodeMsgpack reads a str into t.
func (t *Text) DecodeMsgpack(dec *msgpack.Decoder) error {
	s, err := dec.DecodeString()
	if err != nil {
		return err
	}
	*t = append((*t)[:0], s...)
	return nil
}

// Interface guards
var (
	_ msgpack.CustomEncoder = Text(nil)
	_ msgpack.CustomDecoder = (*Text)(nil)
)
