package abi

import (
	"encoding/binary"
	"fmt"

	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// maxDepth bounds how deeply a message may nest; ABI messages nest a few
// levels, so anything deeper is an attack on the decoder's recursion.
const maxDepth = 32

// scan checks that data holds exactly one well-formed MessagePack value
// whose every length is plausible — no array, map, string or binary claims
// more elements or bytes than are left — and that it nests at most maxDepth
// deep. It runs before any decoding, so that a 5-byte header claiming four
// billion elements cannot make a decoder allocate for them.
func scan(data []byte) error {
	rest, err := scanValue(data, 0)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%d trailing bytes", len(rest))
	}
	return nil
}

func scanValue(b []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxDepth)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("unexpected end of input")
	}
	c, b := b[0], b[1:]
	switch {
	case msgpcode.IsFixedNum(c):
		return b, nil
	case msgpcode.IsFixedMap(c):
		return scanItems(b, 2*int(c&msgpcode.FixedMapMask), depth)
	case msgpcode.IsFixedArray(c):
		return scanItems(b, int(c&msgpcode.FixedArrayMask), depth)
	case msgpcode.IsFixedString(c):
		return skip(b, int(c&msgpcode.FixedStrMask))
	}
	switch c {
	case msgpcode.Nil, msgpcode.False, msgpcode.True:
		return b, nil
	case msgpcode.Uint8, msgpcode.Int8:
		return skip(b, 1)
	case msgpcode.Uint16, msgpcode.Int16:
		return skip(b, 2)
	case msgpcode.Uint32, msgpcode.Int32, msgpcode.Float:
		return skip(b, 4)
	case msgpcode.Uint64, msgpcode.Int64, msgpcode.Double:
		return skip(b, 8)
	case msgpcode.FixExt1, msgpcode.FixExt2, msgpcode.FixExt4, msgpcode.FixExt8, msgpcode.FixExt16:
		return skip(b, 1+1<<(c-msgpcode.FixExt1))
	case msgpcode.Str8, msgpcode.Bin8, msgpcode.Str16, msgpcode.Bin16, msgpcode.Str32, msgpcode.Bin32,
		msgpcode.Ext8, msgpcode.Ext16, msgpcode.Ext32:
		n, b, err := length(c, b)
		if err != nil {
			return nil, err
		}
		if c == msgpcode.Ext8 || c == msgpcode.Ext16 || c == msgpcode.Ext32 {
			n++ // the extension's type byte
		}
		return skip(b, n)
	case msgpcode.Array16, msgpcode.Array32:
		n, b, err := length(c, b)
		if err != nil {
			return nil, err
		}
		return scanItems(b, n, depth)
	case msgpcode.Map16, msgpcode.Map32:
		n, b, err := length(c, b)
		if err != nil {
			return nil, err
		}
		return scanItems(b, 2*n, depth)
	}
	return nil, fmt.Errorf("invalid code %#x", c)
}

// length reads the big-endian length that follows a code.
func length(c byte, b []byte) (int, []byte, error) {
	var size int
	switch c {
	case msgpcode.Str8, msgpcode.Bin8, msgpcode.Ext8:
		size = 1
	case msgpcode.Str16, msgpcode.Bin16, msgpcode.Ext16, msgpcode.Array16, msgpcode.Map16:
		size = 2
	default:
		size = 4
	}
	if len(b) < size {
		return 0, nil, fmt.Errorf("unexpected end of input")
	}
	var n uint64
	switch size {
	case 1:
		n = uint64(b[0])
	case 2:
		n = uint64(binary.BigEndian.Uint16(b))
	default:
		n = uint64(binary.BigEndian.Uint32(b))
	}
	return int(n), b[size:], nil
}

func skip(b []byte, n int) ([]byte, error) {
	if n > len(b) {
		return nil, fmt.Errorf("a length of %d exceeds the %d bytes left", n, len(b))
	}
	return b[n:], nil
}

// scanItems scans n values; each takes at least one byte, so a count
// larger than what is left is refused before the loop.
func scanItems(b []byte, n, depth int) ([]byte, error) {
	if n > len(b) {
		return nil, fmt.Errorf("a count of %d exceeds the %d bytes left", n, len(b))
	}
	var err error
	for range n {
		if b, err = scanValue(b, depth+1); err != nil {
			return nil, err
		}
	}
	return b, nil
}
