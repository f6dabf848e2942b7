package wasmcore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/tetratelabs/wazero"
)

// Core is the routing core running in WebAssembly: one module instance,
// which owns the state, behind a mutex. Its methods are safe for
// concurrent use; calls run one at a time.
//
// Each method takes and returns the MessagePack messages of package abi,
// exactly as [core.Machine]'s *Msg methods do. An error is one of:
//   - an [*abi.Error] when the core refused the input (malformed, of another
//     version, too large): nothing changed;
//   - [ErrTrapped] (wrapped) when the guest trapped: state was rebuilt;
//   - [ErrClosed] after Close; any other error means the module could not
//     be instantiated again after a trap, and the next call tries again.
type Core struct {
	cfg   Config
	rt    wazero.Runtime
	cache wazero.CompilationCache // nil without Config.CacheDir
	cm    wazero.CompiledModule

	mu   sync.Mutex
	inst *instance // nil after Close or a failed rebuild
	// base is the last snapshot, nil for a fresh core, and journal the
	// mutating calls made since: together they rebuild the state.
	base    []byte
	journal journal
	closed  bool
}

// New compiles the module at cfg.WasmPath (or loads it from the
// compilation cache) and instantiates it with an empty core.
func New(ctx context.Context, cfg Config) (*Core, error) {
	wasm, err := os.ReadFile(cfg.WasmPath)
	if err != nil {
		return nil, fmt.Errorf("wasmcore: read the core module: %w", err)
	}
	c := &Core{cfg: cfg}
	rc := wazero.NewRuntimeConfigCompiler()
	if cfg.CacheDir != "" {
		if c.cache, err = wazero.NewCompilationCacheWithDir(cfg.CacheDir); err != nil {
			return nil, fmt.Errorf("wasmcore: compilation cache: %w", err)
		}
		rc = rc.WithCompilationCache(c.cache)
	}
	c.rt = wazero.NewRuntimeWithConfig(ctx, rc)
	if err := c.init(ctx, wasm); err != nil {
		_ = c.Close(ctx)
		return nil, fmt.Errorf("wasmcore: %s: %w", cfg.WasmPath, err)
	}
	return c, nil
}

func (c *Core) init(ctx context.Context, wasm []byte) error {
	var err error
	if c.cm, err = c.rt.CompileModule(ctx, wasm); err != nil {
		return fmt.Errorf("compile: %w", err)
	}
	_ = collapseCode() // an optimisation: small pages work too
	if err := instantiateImports(ctx, c.rt, c.cm); err != nil {
		return err
	}
	if c.inst, err = instantiate(ctx, c.rt, c.cm); err != nil {
		return err
	}
	// The module must speak this host's ABI version: abi.Decode refuses
	// any other.
	out, err := c.inst.call(ctx, opVersion, nil)
	if err != nil {
		return fmt.Errorf("version: %w", err)
	}
	var v abi.VersionInfo
	if err := abi.Decode(out, &v); err != nil {
		return fmt.Errorf("version: %w", err)
	}
	return nil
}

// Apply applies an encoded [abi.Event] and returns the encoded
// [abi.Effects].
func (c *Core) Apply(ctx context.Context, in []byte) ([]byte, error) {
	return c.call(ctx, opApply, in)
}

// Route answers an encoded [abi.RouteRequest] with an encoded
// [abi.Decision].
func (c *Core) Route(ctx context.Context, in []byte) ([]byte, error) {
	return c.call(ctx, opRoute, in)
}

// Snapshot returns the encoded [abi.Snapshot] of the core's state. It
// becomes the base a rebuild starts from, which empties the journal.
func (c *Core) Snapshot(ctx context.Context) ([]byte, error) {
	return c.call(ctx, opSnapshot, nil)
}

// Restore replaces the core's state with an encoded [abi.Snapshot], which
// becomes the base a rebuild starts from.
func (c *Core) Restore(ctx context.Context, snap []byte) error {
	_, err := c.call(ctx, opRestore, snap)
	return err
}

// Version returns the module's encoded [abi.VersionInfo].
func (c *Core) Version(ctx context.Context) ([]byte, error) {
	return c.call(ctx, opVersion, nil)
}

// Close releases the instance, the compiled module and the runtime.
// Calls after Close return [ErrClosed].
func (c *Core) Close(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed, c.inst = true, nil
	err := c.rt.Close(ctx)
	if c.cache != nil {
		err = errors.Join(err, c.cache.Close(ctx))
	}
	return err
}

// call makes one call, keeps the journal and the base up to date, and
// rebuilds the instance after a trap.
func (c *Core) call(ctx context.Context, o op, in []byte) ([]byte, error) {
	if len(in) > abi.MaxMessageSize {
		// Refused as the guest's abi.Decode refuses it, without first
		// growing the guest's memory to hold it.
		var v struct{}
		return nil, abi.Decode(in, &v)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	if c.inst == nil {
		if err := c.rebuild(ctx); err != nil {
			return nil, err
		}
	}
	out, err := c.inst.call(ctx, o, in)
	if err != nil {
		var trap *trapError
		if errors.As(err, &trap) {
			return nil, c.recoverFrom(ctx, o, trap)
		}
		return nil, err
	}
	out = bytes.Clone(out)
	switch {
	case o == opSnapshot:
		c.base = bytes.Clone(out)
		c.journal.reset()
	case o == opRestore:
		c.base = bytes.Clone(in)
		c.journal.reset()
	case o.journaled():
		c.journal.add(o, in)
		if every := c.cfg.snapshotEvery(); every > 0 && c.journal.len() >= every {
			c.checkpoint(ctx)
		}
	}
	return out, nil
}

// checkpoint takes a snapshot to become the new base. If it fails, the
// old base and the journal stay, and the next mutating call tries again.
func (c *Core) checkpoint(ctx context.Context) {
	snap, err := c.inst.call(ctx, opSnapshot, nil)
	var trap *trapError
	switch {
	case errors.As(err, &trap):
		_ = c.rebuild(ctx) // on failure, the next call rebuilds
	case err == nil:
		c.base = bytes.Clone(snap)
		c.journal.reset()
	}
}

// recoverFrom rebuilds the state after the trap of a call to o.
func (c *Core) recoverFrom(ctx context.Context, o op, trap *trapError) error {
	if err := c.rebuild(ctx); err != nil {
		return fmt.Errorf("wasmcore: %s trapped (%v), and rebuilding failed: %w", o, trap, err)
	}
	return fmt.Errorf("%w: %s: %v", ErrTrapped, o, trap)
}

// rebuild discards the instance and makes a new one with the same state:
// the base snapshot restored, then the journal replayed.
func (c *Core) rebuild(ctx context.Context) error {
	if c.inst != nil {
		c.inst.close(ctx)
		c.inst = nil
	}
	inst, err := instantiate(ctx, c.rt, c.cm)
	if err != nil {
		return err
	}
	if c.base != nil {
		if _, err := inst.call(ctx, opRestore, c.base); err != nil {
			inst.close(ctx)
			return fmt.Errorf("restore the last snapshot: %w", err)
		}
	}
	n := 0
	for o, in := range c.journal.all() {
		if _, err := inst.call(ctx, o, in); err != nil {
			inst.close(ctx)
			return fmt.Errorf("replay call %d of %d (%s): %w", n+1, c.journal.len(), o, err)
		}
		n++
	}
	c.inst = inst
	return nil
}
