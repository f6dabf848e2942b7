package abi

import (
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// The enums of this package travel as small unsigned integers (their
// EncodeMsgpack methods see to it: msgpack would otherwise send their text
// form) and read as snake_case names in JSON and text. Their lists are
// append-only: never reorder, remove or reuse an item; add new items at the
// end only.

func enumName[E ~uint8](names []string, e E) string {
	if int(e) < len(names) {
		return names[e]
	}
	return fmt.Sprintf("%d", uint8(e))
}

func parseEnum[E ~uint8](names []string, kind, s string) (E, error) {
	for i, n := range names {
		if n == s {
			return E(i), nil
		}
	}
	return 0, fmt.Errorf("abi: unknown %s %q", kind, s)
}

// decodeEnum reads an enum's integer, refusing one that does not fit a byte.
func decodeEnum(dec *msgpack.Decoder, kind string) (uint8, error) {
	v, err := dec.DecodeUint64()
	if err != nil {
		return 0, err
	}
	if v > 255 {
		return 0, fmt.Errorf("abi: %s %d out of range", kind, v)
	}
	return uint8(v), nil
}
