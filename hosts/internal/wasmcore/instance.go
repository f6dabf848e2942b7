package wasmcore

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// minBuffer is the smallest input buffer the host asks the guest for.
const minBuffer = 64 << 10

// instance is one instance of the module, driven through its raw ABI
// (wasm/README.md). It is not safe for concurrent use.
type instance struct {
	mod    api.Module
	mem    api.Memory
	linear experimental.LinearMemory // mem's backing (memory.go)
	fns    [opCount]api.Function
	buffer api.Function // raw_buffer
	result uint32       // the result descriptor's address
	in     uint32       // the input buffer's address, once known
	inLen  uint32       // its length; 0 until the first raw_buffer call
	stack  []uint64
	stderr *tail
}

// instantiate makes a new instance of the compiled module, giving it the
// host's clock and randomness (the core reads neither; the Go runtime
// does), and resolves its exports once.
func instantiate(ctx context.Context, rt wazero.Runtime, cm wazero.CompiledModule) (*instance, error) {
	stderr := &tail{}
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithStartFunctions("_initialize").
		WithSysWalltime().
		WithSysNanotime().
		WithSysNanosleep().
		WithRandSource(rand.Reader).
		WithStderr(stderr)
	var linear experimental.LinearMemory
	alloc := experimental.MemoryAllocatorFunc(func(cap, max uint64) experimental.LinearMemory {
		linear = allocateMemory(cap, max)
		return linear
	})
	mod, err := rt.InstantiateModule(experimental.WithMemoryAllocator(ctx, alloc), cm, cfg)
	if err != nil {
		return nil, fmt.Errorf("instantiate the core module: %w%s", err, stderr.detail())
	}
	i := &instance{mod: mod, mem: mod.Memory(), linear: linear, stack: make([]uint64, 1), stderr: stderr}
	if err := i.resolve(ctx); err != nil {
		_ = mod.Close(ctx)
		return nil, err
	}
	return i, nil
}

func (i *instance) resolve(ctx context.Context) error {
	export := func(name string) (api.Function, error) {
		if f := i.mod.ExportedFunction(name); f != nil {
			return f, nil
		}
		return nil, fmt.Errorf("the module has no export %q: not an apikeyrouter core built from this tree", name)
	}
	for o := range opCount {
		f, err := export(opExports[o])
		if err != nil {
			return err
		}
		i.fns[o] = f
	}
	var err error
	if i.buffer, err = export("raw_buffer"); err != nil {
		return err
	}
	if i.mem == nil {
		return fmt.Errorf("the module exports no memory")
	}
	result, err := export("raw_result")
	if err != nil {
		return err
	}
	if err := result.CallWithStack(ctx, i.stack); err != nil {
		return fmt.Errorf("raw_result: %w", err)
	}
	i.result = uint32(i.stack[0])
	return nil
}

// call makes one call. The output it returns is a view of the guest's
// memory, valid until the next call. An error is an [*abi.Error] when the
// guest refused the input, else a [*trapError]: the instance is then
// suspect and must be discarded.
func (i *instance) call(ctx context.Context, o op, in []byte) ([]byte, error) {
	if o.hasInput() {
		if err := i.put(ctx, in); err != nil {
			return nil, err
		}
		i.stack[0] = uint64(len(in))
	}
	if err := i.fns[o].CallWithStack(ctx, i.stack); err != nil {
		return nil, i.trap(opExports[o], err)
	}
	status := uint32(i.stack[0])
	desc, ok := i.mem.ReadUint64Le(i.result)
	if !ok {
		return nil, i.trap(opExports[o], fmt.Errorf("result descriptor at %#x out of bounds", i.result))
	}
	b, ok := i.mem.Read(uint32(desc), uint32(desc>>32))
	if !ok {
		return nil, i.trap(opExports[o], fmt.Errorf("result [%#x, +%d) out of bounds", uint32(desc), uint32(desc>>32)))
	}
	switch {
	case status == uint32(abi.OK):
		return b, nil
	case status > math.MaxUint8:
		return nil, i.trap(opExports[o], fmt.Errorf("status %d is no abi.Code", status))
	}
	return nil, &abi.Error{Code: abi.Code(status), Message: string(b)}
}

// put copies an input into the guest's input buffer, first growing it if
// needed.
func (i *instance) put(ctx context.Context, in []byte) error {
	n := uint32(len(in)) // at most abi.MaxMessageSize: see Core.call
	if n > i.inLen {
		size := min(max(n, 2*i.inLen, minBuffer), abi.MaxMessageSize)
		i.stack[0] = uint64(size)
		if err := i.buffer.CallWithStack(ctx, i.stack); err != nil {
			return i.trap("raw_buffer", err)
		}
		if i.stack[0] == 0 {
			return i.trap("raw_buffer", fmt.Errorf("the guest refused a %d-byte buffer", size))
		}
		i.in, i.inLen = uint32(i.stack[0]), size
	}
	if !i.mem.Write(i.in, in) {
		return i.trap("raw_buffer", fmt.Errorf("input buffer [%#x, +%d) out of bounds", i.in, n))
	}
	return nil
}

func (i *instance) trap(export string, err error) *trapError {
	return &trapError{export: export, err: err, stderr: i.stderr.detail()}
}

func (i *instance) close(ctx context.Context) { _ = i.mod.Close(ctx) }

// trapError is a failed call that leaves the instance suspect: a trap, an
// exit (a Go panic in the guest), or a broken raw-ABI contract.
type trapError struct {
	export string
	err    error
	stderr string // what the guest wrote to stderr, if anything
}

func (e *trapError) Error() string { return e.export + ": " + e.err.Error() + e.stderr }

func (e *trapError) Unwrap() error { return e.err }
