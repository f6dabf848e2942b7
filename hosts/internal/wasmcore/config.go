package wasmcore

// DefaultSnapshotEvery is the number of mutating calls between the
// snapshots a [Core] takes itself when [Config.SnapshotEvery] is zero.
const DefaultSnapshotEvery = 1000

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
