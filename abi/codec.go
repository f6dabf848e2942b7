package abi

import (
	"bytes"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Encode returns the canonical encoding of a message: struct fields in
// declaration order as a map keyed by their names, empty optional fields
// left out, integers in their shortest form.
func Encode(v any) ([]byte, error) {
	return AppendEncode(nil, v)
}

// AppendEncode appends the canonical encoding of v to dst.
func AppendEncode(dst []byte, v any) ([]byte, error) {
	// The hot messages by their own types: an assertion to an interface
	// is a lookup in the runtime's table, which WebAssembly makes a call.
	switch m := v.(type) {
	case *Decision:
		return m.appendTo(dst), nil
	case *Effects:
		return m.appendTo(dst), nil
	case *Event:
		return m.appendTo(dst), nil
	case *RouteRequest:
		return m.appendTo(dst), nil
	}
	return appendEncodeOther(dst, v)
}

// appendEncodeOther is AppendEncode for the other messages, out of line
// so that the hot messages' path stays small.
func appendEncodeOther(dst []byte, v any) ([]byte, error) {
	if a, ok := v.(appender); ok {
		return a.appendTo(dst), nil
	}
	buf := bytes.NewBuffer(dst)
	enc := msgpack.GetEncoder()
	defer msgpack.PutEncoder(enc)
	enc.Reset(buf)
	enc.UseCompactInts(true)
	if err := enc.Encode(v); err != nil {
		return dst, Errorf(Internal, "encode %T: %v", v, err)
	}
	return buf.Bytes(), nil
}

// Decode decodes one message from data into *v, which it zeroes first.
// Like encoding/json, it writes over what *v's pointers point to rather
// than allocating anew (an [Event]'s Outcome and its RateLimit): a
// caller that keeps one of those must copy it before decoding into the
// same *v again.
//
// It checks, in order: the size ([TooLarge]); that the bytes are one
// well-formed MessagePack value with plausible lengths, nested at most 32
// deep ([Malformed]); that it is a map whose first entry is "v" with the
// value [Version] ([VersionMismatch]); then it decodes strictly: unknown
// fields and wrong types are [Malformed].
func Decode[T any](data []byte, v *T) error {
	var zero T
	if len(data) > MaxMessageSize {
		*v = zero
		return Errorf(TooLarge, "message of %d bytes exceeds %d", len(data), MaxMessageSize)
	}
	// A type switch on the hot messages' own types, not an assertion to
	// an interface, which the runtime would look up on every call.
	var w whole
	switch p := any(v).(type) {
	case *Event:
		w = p
	case *RouteRequest:
		w = p
	case *Decision:
		w = p
	case *Effects:
		w = p
	}
	if w == nil {
		return decodeOther(data, v)
	}
	// decodeWhole zeroes *v itself, after noting the strings it held (one
	// the message repeats is kept, not allocated again) and the structs it
	// pointed to (written over, not allocated again)
	if err := decodeHot(data, w); err != nil {
		*v = zero
		return err
	}
	return nil
}

// decodeOther is Decode for the messages without a hand-written decoder,
// out of line so that the hot messages' path stays small.
func decodeOther[T any](data []byte, v *T) error {
	var zero T
	*v = zero
	if err := scan(data); err != nil {
		return Errorf(Malformed, "decode %T: %v", v, err)
	}
	if err := CheckVersion(data); err != nil {
		return err
	}
	r := bytes.NewReader(data)
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	dec.Reset(r)
	dec.DisallowUnknownFields(true)
	if err := dec.Decode(v); err != nil {
		*v = zero
		return Errorf(Malformed, "decode %T: %v", v, err)
	}
	if r.Len() != 0 {
		*v = zero
		return Errorf(Malformed, "decode %T: %d trailing bytes", v, r.Len())
	}
	return checkDecodedVersion(v)
}

// versioned is a top-level message.
type versioned interface{ version() uint8 }

func (m *Event) version() uint8        { return m.V }
func (m *Effects) version() uint8      { return m.V }
func (m *RouteRequest) version() uint8 { return m.V }
func (m *Decision) version() uint8     { return m.V }
func (m *Snapshot) version() uint8     { return m.V }
func (m *VersionInfo) version() uint8  { return m.V }

// checkDecodedVersion refuses a message whose "v" appeared twice with
// different values: the first was checked, the last one won.
func checkDecodedVersion[T any](v *T) error {
	if m, ok := any(v).(versioned); ok && m.version() != Version {
		var zero T
		*v = zero
		return Errorf(VersionMismatch, "message version %d, core speaks %d", m.version(), Version)
	}
	return nil
}

// decodeHot decodes a hot message from all of data and checks it as
// Decode says, in the same order, but reads the version twice only when
// something is wrong: a canonical message starts with its "v".
func decodeHot(data []byte, w whole) error {
	left, err := w.decodeWhole(data)
	if err == nil && left != 0 {
		err = fmt.Errorf("%d trailing bytes", left)
	}
	if err == nil && w.version() == Version && startsWithVersion(data) {
		return nil
	}
	if verr := checkVersionFast(data); verr != nil {
		return verr
	}
	if err != nil {
		return Errorf(Malformed, "decode %T: %v", w, err)
	}
	if w.version() != Version { // a second "v", the last one decoded
		return Errorf(VersionMismatch, "message version %d, core speaks %d", w.version(), Version)
	}
	return nil
}

// startsWithVersion reports whether data is a map whose first entry is
// "v" with the value [Version], in their shortest encodings (a version
// is a positive fixint, below 128).
func startsWithVersion(data []byte) bool {
	var i int
	switch {
	case len(data) > 0 && msgpcode.IsFixedMap(data[0]):
		i = 1
	case len(data) > 2 && data[0] == msgpcode.Map16:
		i = 3
	case len(data) > 4 && data[0] == msgpcode.Map32:
		i = 5
	default:
		return false
	}
	return len(data) >= i+3 && data[i] == 0xa1 && data[i+1] == 'v' && data[i+2] == Version
}

// checkVersionFast is CheckVersion without a msgpack Decoder.
func checkVersionFast(data []byte) error {
	d := decoder{b: data}
	n, err := d.mapLen("message")
	if err != nil || n < 1 {
		return Errorf(Malformed, "a message is a map that starts with \"v\"")
	}
	if k, err := d.strBytes(); err != nil || string(k) != "v" {
		return Errorf(Malformed, "a message's first field must be \"v\"")
	}
	got, err := d.uint()
	if err != nil {
		return Errorf(Malformed, "version: %v", err)
	}
	if got != uint64(Version) {
		return Errorf(VersionMismatch, "message version %d, core speaks %d", got, Version)
	}
	return nil
}

// CheckVersion reads only the version of an encoded message.
func CheckVersion(data []byte) error {
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	dec.Reset(bytes.NewReader(data))
	n, err := dec.DecodeMapLen()
	if err != nil || n < 1 {
		return Errorf(Malformed, "a message is a map that starts with \"v\"")
	}
	if key, err := dec.DecodeString(); err != nil || key != "v" {
		return Errorf(Malformed, "a message's first field must be \"v\"")
	}
	got, err := dec.DecodeUint64()
	if err != nil {
		return Errorf(Malformed, "version: %v", err)
	}
	if got != uint64(Version) {
		return Errorf(VersionMismatch, "message version %d, core speaks %d", got, Version)
	}
	return nil
}
