package core

import "github.com/apikeyrouter/apikeyrouter/abi"

// The *Msg methods are the machine's byte-level surface: MessagePack in,
// MessagePack out, exactly as the WebAssembly exports and every host see
// it. They return an error (an [*abi.Error]) only when the call itself
// failed: the input was oversized, of another version or malformed.

// ApplyMsg decodes an [abi.Event], applies it and appends the encoded
// [abi.Effects] to dst.
func (m *Machine) ApplyMsg(dst, in []byte) ([]byte, error) {
	if err := abi.Decode(in, &m.wire.event); err != nil {
		return dst, err
	}
	m.Apply(&m.wire.event, &m.wire.effects)
	return abi.AppendEncode(dst, &m.wire.effects)
}

// RouteMsg decodes an [abi.RouteRequest], routes it and appends the encoded
// [abi.Decision] to dst.
func (m *Machine) RouteMsg(dst, in []byte) ([]byte, error) {
	if err := abi.Decode(in, &m.wire.request); err != nil {
		return dst, err
	}
	m.Route(&m.wire.request, &m.wire.decision)
	return abi.AppendEncode(dst, &m.wire.decision)
}

// SnapshotMsg appends the encoded [abi.Snapshot] to dst.
func (m *Machine) SnapshotMsg(dst []byte) ([]byte, error) {
	return abi.AppendEncode(dst, m.Snapshot())
}

// VersionMsg appends the encoded [abi.VersionInfo] to dst.
func VersionMsg(dst []byte) ([]byte, error) {
	return abi.AppendEncode(dst, &abi.VersionInfo{V: abi.Version, Core: Release})
}

// RestoreMsg decodes an [abi.Snapshot] and returns the machine it describes.
func RestoreMsg(in []byte) (*Machine, error) {
	var s abi.Snapshot
	if err := abi.Decode(in, &s); err != nil {
		return nil, err
	}
	return Restore(&s)
}

// wireScratch holds the decoded messages of the byte-level calls, reused.
type wireScratch struct {
	event    abi.Event
	effects  abi.Effects
	request  abi.RouteRequest
	decision abi.Decision
}
