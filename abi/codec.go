package abi

import (
	"bytes"

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
//
// It checks, in order: the size ([TooLarge]); that the bytes are one
// well-formed MessagePack value with plausible lengths, nested at most 32
// deep ([Malformed]); that it is a map whose first entry is "v" with the
// value [Version] ([VersionMismatch]); then it decodes strictly: unknown
// fields and wrong types are [Malformed].
func Decode[T any](data []byte, v *T) error {
	var zero T
	*v = zero
	if len(data) > MaxMessageSize {
		return Errorf(TooLarge, "message of %d bytes exceeds %d", len(data), MaxMessageSize)
	}
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
