package wasmcore

// op is one of the core's calls, as the module's raw ABI exports it.
type op uint8

const (
	opApply op = iota
	opRoute
	opSnapshot
	opRestore
	opVersion
	opCount
)

var opExports = [opCount]string{"raw_apply", "raw_route", "raw_snapshot", "raw_restore", "raw_version"}

func (o op) String() string {
	return [opCount]string{"apply", "route", "snapshot", "restore", "version"}[o]
}

// hasInput reports whether the call takes a message.
func (o op) hasInput() bool { return o == opApply || o == opRoute || o == opRestore }

// journaled reports whether the call may change the core's state, so that
// rebuilding the state after a trap must replay it. Dry-run routes are
// journaled too: replaying exactly what the machine saw needs no decoding
// on the host, and they are rare.
func (o op) journaled() bool { return o == opApply || o == opRoute }
