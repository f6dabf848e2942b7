package wasmcore

// DefaultSnapshotEvery is the number of mutating calls between the
// snapshots a [Core] takes itself when [Config.SnapshotEvery] is zero.
//
// It weighs a cost paid on every call against one paid after a trap, which
// is a bug and rare. Measured at 1,000 keys: a snapshot (350 KB) takes
// ~0.1 s inside the module, ~10 µs per call at this cadence; a rebuild
// replays up to this many calls, ~1.5 s at ~150 µs each.
const DefaultSnapshotEvery = 10_000

// Config configures a [Core].
type Config struct {
	// WasmPath is the core module's file, as `make wasm` builds it
	// (bin/apikeyrouter-core.wasm). Required.
	WasmPath string
	// CacheDir is a directory for wazero's compilation cache: machine code
	// compiled from the module is kept there, so the next New with the
	// same module and wazero version skips compiling it. Empty means no
	// cache: every New compiles the module.
	CacheDir string
	// SnapshotEvery is how many mutating calls (apply and route) run
	// between the snapshots the Core takes itself; after a trap, at most
	// that many calls are replayed. Zero means [DefaultSnapshotEvery];
	// negative means never (the journal then grows until [Core.Snapshot]
	// or [Core.Restore]).
	SnapshotEvery int
}

func (c Config) snapshotEvery() int {
	if c.SnapshotEvery == 0 {
		return DefaultSnapshotEvery
	}
	return c.SnapshotEvery
}
