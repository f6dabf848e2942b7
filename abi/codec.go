package abi

import (
	"bytes"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// Encode returns the canonical encoding of a message: struct fields in
// declaration order as a map keyed by their names, empty optional fields
// left out, integers in their shortest form.
func Encode(v any) ([]byte, error) {
	return AppendEncode(nil, v)
}

// AppendEncode appends the canonical encoding of v to dst.
func AppendEncode(dst []byte, v any) ([]byte, error) {
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
	if w, ok := any(v).(whole); ok {
		// decodeWhole zeroes *v itself, after noting the strings it held
		// (one the message repeats is kept, not allocated again) and the
		// structs it pointed to (written over, not allocated again)
		if err := checkVersionFast(data); err != nil {
			*v = zero
			return err
		}
		left, err := w.decodeWhole(data)
		if err == nil && left != 0 {
			err = fmt.Errorf("%d trailing bytes", left)
		}
		if err != nil {
			*v = zero
			return Errorf(Malformed, "decode %T: %v", v, err)
		}
		return checkDecodedVersion(v)
	}
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
