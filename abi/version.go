package abi

// Version is the ABI version this package speaks. Every message carries it in
// its "v" field, and [Decode] rejects any other value with
// [ErrVersionMismatch]. A change that adds, removes or retypes a field bumps
// it.
const Version uint8 = 1

// MaxMessageSize is the largest encoded message [Decode] accepts (16 MiB).
// Larger inputs are refused with [TooLarge] before any parsing.
const MaxMessageSize = 16 << 20

// VersionInfo answers the version call.
type VersionInfo struct {
	V    uint8  `msgpack:"v" json:"v"`
	Core string `msgpack:"core" json:"core"`
}
