package wasmcore

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/internal/coretest"
)

// t0 is the scenarios' start. It is early (1970-01-12) because core's
// snapshot validation rejects usage windows that start after 2^56 ns
// (1972): restoring a snapshot of a core that has routed at today's time
// fails. Move it to 2026 once core is fixed.
const t0 = abi.UnixNano(1_000_000_000_000_000)

// scenario is a short history of calls: a fleet, routes and outcomes.
func scenario() []coretest.Call {
	b := &coretest.Builder{}
	b.Apply(abi.Event{Now: t0, Provider: &abi.Provider{ID: "openai"}})
	b.Apply(abi.Event{Now: t0, Model: &abi.Model{Provider: "openai", Name: "gpt-4o-mini", Price: abi.Price{Input: 150_000, Output: 600_000}}})
	for _, id := range []abi.KeyID{"k1", "k2", "k3"} {
		b.Apply(abi.Event{Now: t0, Key: &abi.Key{ID: id, Provider: "openai"}})
	}
	for i := range 4 {
		now := t0 + abi.UnixNano(i+1)*abi.UnixNano(abi.Second)
		b.Route(abi.RouteRequest{Now: now, Model: "gpt-4o-mini", InputTokens: 100})
		b.Apply(abi.Event{Now: now, Outcome: &abi.Outcome{Attempt: uint64(i + 1), Result: abi.Success, Usage: abi.Usage{InputTokens: 100, OutputTokens: 20}}})
	}
	return b.Calls
}

// replay makes the calls on c and on the native core, and fails t where
// their outputs differ.
func replay(t *testing.T, c *Core, native *coretest.Native, calls []coretest.Call) {
	t.Helper()
	ctx := context.Background()
	for i, call := range calls {
		var got []byte
		var err error
		switch call.Op {
		case coretest.OpApply:
			got, err = c.Apply(ctx, call.In)
		case coretest.OpRoute:
			got, err = c.Route(ctx, call.In)
		}
		want, werr := native.Call(call.Op, call.In)
		if err != nil || werr != nil || !bytes.Equal(got, want) {
			t.Fatalf("call %d (%s): got %x, %v; native %x, %v", i, call.Op, got, err, want, werr)
		}
	}
}

func sameSnapshot(t *testing.T, c *Core, native *coretest.Native) {
	t.Helper()
	got, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := native.Call(coretest.OpSnapshot, nil)
	if !bytes.Equal(got, want) {
		t.Fatalf("snapshot differs from native:\n got  %x\n want %x", got, want)
	}
}

// TestTrapRecovery makes the guest fail in the middle of an apply, after
// the event changed its state, and checks that the Core rebuilt exactly
// the state before that call and goes on as the native core does.
func TestTrapRecovery(t *testing.T) {
	for _, tc := range []struct {
		name, export  string
		snapshotEvery int
		stderr        string // expected in the error
	}{
		{"panic", "raw_crash_panic", 0, "akrcrash"},
		{"trap", "raw_crash_trap", 0, "out of bounds memory access"},
		{"panic/snapshot-every-3", "raw_crash_panic", 3, "akrcrash"},
		{"trap/snapshot-every-1", "raw_crash_trap", 1, "out of bounds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c, err := New(ctx, Config{WasmPath: TestCrashModule, CacheDir: TestCacheDir, SnapshotEvery: tc.snapshotEvery})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(ctx)
			native := coretest.NewNative()
			calls := scenario()
			replay(t, c, native, calls[:7])

			crash := coretest.Call{Op: coretest.OpApply, In: mustEncode(t, &abi.Event{V: abi.Version, Now: t0 + 10*abi.UnixNano(abi.Second),
				Key: &abi.Key{ID: "k4", Provider: "openai"}})}
			c.mu.Lock()
			c.inst.fns[opApply] = c.inst.mod.ExportedFunction(tc.export)
			c.mu.Unlock()
			_, err = c.Apply(ctx, crash.In)
			if !errors.Is(err, ErrTrapped) {
				t.Fatalf("Apply: %v, want ErrTrapped", err)
			}
			if abi.CodeOf(err) != abi.Internal || !strings.Contains(err.Error(), tc.stderr) {
				t.Errorf("Apply: %v: want code internal and %q in the message", err, tc.stderr)
			}
			// The rebuilt instance has the state from before the call, and
			// its own (not crashing) exports.
			replay(t, c, native, calls[7:])
			replay(t, c, native, []coretest.Call{crash})
			sameSnapshot(t, c, native)
		})
	}
}

// TestSnapshotEvery checks that the Core bounds its journal with its own
// snapshots, and that Snapshot and Restore reset it.
func TestSnapshotEvery(t *testing.T) {
	ctx := context.Background()
	calls := scenario() // 13 mutating calls
	for _, tc := range []struct {
		every, journal int
		base           bool
	}{
		{every: 4, journal: 1, base: true},
		{every: 13, journal: 0, base: true},
		{every: -1, journal: 13, base: false},
		{every: 0, journal: 13, base: false}, // DefaultSnapshotEvery
	} {
		c := testCore(t, Config{SnapshotEvery: tc.every})
		replay(t, c, coretest.NewNative(), calls)
		if c.journal.len() != tc.journal || (c.base != nil) != tc.base {
			t.Errorf("every %d: journal %d, base %t; want %d, %t", tc.every, c.journal.len(), c.base != nil, tc.journal, tc.base)
		}
		snap, err := c.Snapshot(ctx)
		if err != nil || c.journal.len() != 0 || !bytes.Equal(c.base, snap) {
			t.Errorf("every %d: after Snapshot: %v, journal %d", tc.every, err, c.journal.len())
		}
		c.Close(ctx)
	}
}

// TestRestoreBecomesBase checks that a rebuild after Restore starts from
// the restored state.
func TestRestoreBecomesBase(t *testing.T) {
	ctx := context.Background()
	calls := scenario()
	native := coretest.NewNative()
	for _, call := range calls[:9] {
		native.Call(call.Op, call.In)
	}
	snap, _ := native.Call(coretest.OpSnapshot, nil)

	c, err := New(ctx, Config{WasmPath: TestCrashModule, CacheDir: TestCacheDir, SnapshotEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if err := c.Restore(ctx, snap); err != nil {
		t.Fatal(err)
	}
	replay(t, c, native, calls[9:11])
	c.mu.Lock()
	c.inst.fns[opApply] = c.inst.mod.ExportedFunction("raw_crash_trap")
	c.mu.Unlock()
	if _, err := c.Apply(ctx, calls[11].In); !errors.Is(err, ErrTrapped) {
		t.Fatalf("Apply: %v, want ErrTrapped", err)
	}
	replay(t, c, native, calls[11:])
	sameSnapshot(t, c, native)
}

// TestRawABIBounds calls the raw exports with lengths that break the
// protocol: the guest refuses them with a code instead of trapping.
func TestRawABIBounds(t *testing.T) {
	ctx := context.Background()
	c := testCore(t, Config{})
	inst := c.inst
	for _, n := range []uint64{abi.MaxMessageSize + 1, 1 << 31, 1<<32 - 1} {
		stack := []uint64{n}
		if err := inst.buffer.CallWithStack(ctx, stack); err != nil || stack[0] != 0 {
			t.Errorf("raw_buffer(%d) = %#x, %v; want 0", n, stack[0], err)
		}
		for _, o := range []op{opApply, opRoute, opRestore} {
			stack := []uint64{n}
			if err := inst.fns[o].CallWithStack(ctx, stack); err != nil || abi.Code(stack[0]) != abi.InvalidArgument {
				t.Errorf("%s(%d) = %d, %v; want %d", opExports[o], n, stack[0], err, abi.InvalidArgument)
			}
		}
	}
	if _, err := c.Version(ctx); err != nil || c.inst != inst {
		t.Fatalf("after the bad calls: %v (instance replaced: %t)", err, c.inst != inst)
	}
}

func mustEncode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := abi.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
