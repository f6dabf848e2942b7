package abi

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// The hot messages — RouteRequest, Decision, Event with its Outcome, and
// Effects — have hand-written codecs (hot.go) over plain byte slices:
// reflection, and even msgpack's streaming Encoder and Decoder, are slow,
// and ten times slower again in WebAssembly. The encoders write exactly the
// bytes msgpack writes by reflection with compact integers (a differential
// test holds them to that); the decoders read as strictly: unknown fields,
// wrong types and impossible lengths are errors.

// Encoding: appendX writes one value in msgpack's shortest form.

func appendMapLen(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, msgpcode.FixedMapLow|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, msgpcode.Map16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, msgpcode.Map32), uint32(n))
}

func appendArrayLen(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, msgpcode.FixedArrayLow|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, msgpcode.Array16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, msgpcode.Array32), uint32(n))
}

func appendStrLen(b []byte, n int) []byte {
	switch {
	case n < 32:
		return append(b, msgpcode.FixedStrLow|byte(n))
	case n < 256:
		return append(b, msgpcode.Str8, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, msgpcode.Str16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, msgpcode.Str32), uint32(n))
}

func appendStr(b []byte, s string) []byte { return append(appendStrLen(b, len(s)), s...) }

func appendUint(b []byte, n uint64) []byte {
	switch {
	case n <= math.MaxInt8:
		return append(b, byte(n))
	case n <= math.MaxUint8:
		return append(b, msgpcode.Uint8, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, msgpcode.Uint16), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, msgpcode.Uint32), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, msgpcode.Uint64), n)
}

func appendInt(b []byte, n int64) []byte {
	switch {
	case n >= 0:
		return appendUint(b, uint64(n))
	case n >= -32:
		return append(b, byte(n))
	case n >= math.MinInt8:
		return append(b, msgpcode.Int8, byte(n))
	case n >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, msgpcode.Int16), uint16(n))
	case n >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, msgpcode.Int32), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, msgpcode.Int64), uint64(n))
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, msgpcode.True)
	}
	return append(b, msgpcode.False)
}

// Keyed appenders write a map entry.

func kStr(b []byte, k, v string) []byte         { return appendStr(appendKey(b, k), v) }
func kInt(b []byte, k string, v int64) []byte   { return appendInt(appendKey(b, k), v) }
func kUint(b []byte, k string, v uint64) []byte { return appendUint(appendKey(b, k), v) }
func kBool(b []byte, k string, v bool) []byte   { return appendBool(appendKey(b, k), v) }

// appendKey writes a field name, which is shorter than 32 bytes (a fixstr):
// two appends instead of appendStr's four cases, in each encoder that
// writes a field, which counts in WebAssembly, where code is run cold.
func appendKey(b []byte, k string) []byte {
	return append(append(b, msgpcode.FixedStrLow|byte(len(k))), k...)
}

func kStrs[S ~string](b []byte, k string, v []S) []byte {
	b = appendArrayLen(appendKey(b, k), len(v))
	for _, s := range v {
		b = appendStr(b, string(s))
	}
	return b
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

// decoder reads msgpack values from a byte slice.
type decoder struct {
	b []byte
	i int
}

var errEOF = fmt.Errorf("msgpack: unexpected end of input")

func (d *decoder) left() int { return len(d.b) - d.i }

func (d *decoder) byte() (byte, error) {
	if d.i >= len(d.b) {
		return 0, errEOF
	}
	c := d.b[d.i]
	d.i++
	return c, nil
}

// take returns the next n bytes.
func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || n > d.left() {
		return nil, errEOF
	}
	s := d.b[d.i : d.i+n]
	d.i += n
	return s, nil
}

func (d *decoder) be(n int) (uint64, error) {
	s, err := d.take(n)
	if err != nil {
		return 0, err
	}
	var v uint64
	for _, c := range s {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

// nilNext consumes a nil, reporting whether there was one.
func (d *decoder) nilNext() bool {
	if d.i < len(d.b) && d.b[d.i] == msgpcode.Nil {
		d.i++
		return true
	}
	return false
}

// mapLen reads a map header: -1 for nil. Each entry takes at least two
// bytes, so a count beyond what is left is refused before any allocation.
func (d *decoder) mapLen(typ string) (int, error) {
	c, err := d.byte()
	if err != nil {
		return 0, err
	}
	var n uint64
	switch {
	case c == msgpcode.Nil:
		return -1, nil
	case msgpcode.IsFixedMap(c):
		n = uint64(c & msgpcode.FixedMapMask)
	case c == msgpcode.Map16:
		n, err = d.be(2)
	case c == msgpcode.Map32:
		n, err = d.be(4)
	default:
		return 0, fmt.Errorf("msgpack: %s: code %#x is not a map", typ, c)
	}
	if err == nil && n*2 > uint64(d.left()) {
		err = errEOF
	}
	return int(n), err
}

// arrayLen reads an array header: -1 for nil.
func (d *decoder) arrayLen() (int, error) {
	c, err := d.byte()
	if err != nil {
		return 0, err
	}
	var n uint64
	switch {
	case c == msgpcode.Nil:
		return -1, nil
	case msgpcode.IsFixedArray(c):
		n = uint64(c & msgpcode.FixedArrayMask)
	case c == msgpcode.Array16:
		n, err = d.be(2)
	case c == msgpcode.Array32:
		n, err = d.be(4)
	default:
		return 0, fmt.Errorf("msgpack: code %#x is not an array", c)
	}
	if err == nil && n > uint64(d.left()) {
		err = errEOF
	}
	return int(n), err
}

// strBytes reads a string (or binary, as msgpack does) without copying;
// nil reads as empty.
func (d *decoder) strBytes() ([]byte, error) {
	c, err := d.byte()
	if err != nil {
		return nil, err
	}
	var n uint64
	switch {
	case c == msgpcode.Nil:
		return nil, nil
	case msgpcode.IsFixedString(c):
		n = uint64(c & msgpcode.FixedStrMask)
	case c == msgpcode.Str8 || c == msgpcode.Bin8:
		n, err = d.be(1)
	case c == msgpcode.Str16 || c == msgpcode.Bin16:
		n, err = d.be(2)
	case c == msgpcode.Str32 || c == msgpcode.Bin32:
		n, err = d.be(4)
	default:
		return nil, fmt.Errorf("msgpack: code %#x is not a string", c)
	}
	if err != nil {
		return nil, err
	}
	return d.take(int(min(n, uint64(math.MaxInt32))))
}

func (d *decoder) str() (string, error) {
	s, err := d.strBytes()
	return string(s), err
}

// strLike is str, but returns prev, without allocating, when the string
// read is the same.
func (d *decoder) strLike(prev string) (string, error) {
	s, err := d.strBytes()
	if string(s) == prev {
		return prev, err
	}
	return string(s), err
}

// int reads any integer that fits an int64; nil reads as zero.
func (d *decoder) int() (int64, error) {
	c, err := d.byte()
	if err != nil {
		return 0, err
	}
	switch {
	case c == msgpcode.Nil:
		return 0, nil
	case msgpcode.IsFixedNum(c):
		return int64(int8(c)), nil
	}
	var v uint64
	switch c {
	case msgpcode.Uint8, msgpcode.Int8:
		v, err = d.be(1)
		if c == msgpcode.Int8 {
			return int64(int8(v)), err
		}
	case msgpcode.Uint16, msgpcode.Int16:
		v, err = d.be(2)
		if c == msgpcode.Int16 {
			return int64(int16(v)), err
		}
	case msgpcode.Uint32, msgpcode.Int32:
		v, err = d.be(4)
		if c == msgpcode.Int32 {
			return int64(int32(v)), err
		}
	case msgpcode.Uint64, msgpcode.Int64:
		v, err = d.be(8)
		if c == msgpcode.Uint64 && v > math.MaxInt64 {
			return 0, fmt.Errorf("msgpack: %d overflows int64", v)
		}
	default:
		return 0, fmt.Errorf("msgpack: code %#x is not an integer", c)
	}
	return int64(v), err
}

// uint reads a non-negative integer; nil reads as zero.
func (d *decoder) uint() (uint64, error) {
	if d.i < len(d.b) && d.b[d.i] == msgpcode.Uint64 {
		d.i++
		return d.be(8)
	}
	v, err := d.int()
	if err == nil && v < 0 {
		err = fmt.Errorf("msgpack: %d is negative", v)
	}
	return uint64(v), err
}

func (d *decoder) uint8() (uint8, error) {
	v, err := d.uint()
	if err == nil && v > math.MaxUint8 {
		err = fmt.Errorf("msgpack: %d does not fit a byte", v)
	}
	return uint8(v), err
}

func (d *decoder) bool() (bool, error) {
	c, err := d.byte()
	switch {
	case err != nil:
		return false, err
	case c == msgpcode.True:
		return true, nil
	case c == msgpcode.False || c == msgpcode.Nil:
		return false, nil
	}
	return false, fmt.Errorf("msgpack: code %#x is not a bool", c)
}

func (d *decoder) strs() ([]string, error) {
	n, err := d.arrayLen()
	if err != nil || n < 0 {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		if out[i], err = d.str(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ids reads a list of ids of a string type.
func ids[S ~string](d *decoder) ([]S, error) {
	n, err := d.arrayLen()
	if err != nil || n < 0 {
		return nil, err
	}
	out := make([]S, n)
	for i := range out {
		var s string
		if s, err = d.str(); err != nil {
			return nil, err
		}
		out[i] = S(s)
	}
	return out, nil
}

// raw returns the bytes of the next value, to decode a cold field by
// reflection.
func (d *decoder) raw() ([]byte, error) {
	rest, err := scanValue(d.b[d.i:], 0)
	if err != nil {
		return nil, err
	}
	n := d.left() - len(rest)
	return d.take(n)
}

func unknownField(typ string, k []byte) error {
	return fmt.Errorf("msgpack: %s: unknown field %q", typ, k)
}
