package wasmcore

import "errors"

var (
	// ErrTrapped is returned (wrapped, with the trap's details) by a call
	// during which the guest trapped or exited. The Core has already
	// rebuilt its instance from the last snapshot and the journal, so no
	// earlier call is lost; this call's result is. Retrying it once is
	// reasonable; an input that traps again is a bug in the core, to be
	// refused.
	ErrTrapped = errors.New("wasmcore: the guest trapped; state rebuilt, the call's result is lost")

	// ErrClosed is returned by every call after [Core.Close].
	ErrClosed = errors.New("wasmcore: core closed")
)
