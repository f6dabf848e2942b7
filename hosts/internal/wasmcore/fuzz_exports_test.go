package wasmcore_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wasmcore"
	"github.com/apikeyrouter/apikeyrouter/internal/coretest"
	"github.com/apikeyrouter/apikeyrouter/wasm/wasmtest"
)

// FuzzExports sends one arbitrary message to one export — apply, route,
// snapshot, restore or version — of the module under wazero (the raw ABI)
// and under Extism (the PDK's exports), from a state with a fleet, and
// compares each with the native core: the same code, message and output
// bytes, no trap, and the same state afterwards. FuzzNativeVsWasm drives
// long call streams; this one reaches every export, the Extism wrappers
// included, with bytes that need not decode.
//
//	go test ./hosts/internal/wasmcore -run '^$' -fuzz FuzzExports -fuzztime 60s
func FuzzExports(f *testing.F) {
	native := coretest.NewNative()
	for _, call := range fleet() {
		if r := coretest.Invoke(native, call); r.Code != abi.OK {
			f.Fatalf("fleet: %s %s", r.Code, r.Message)
		}
	}
	seeded, err := native.Call(coretest.OpSnapshot, nil)
	if err != nil {
		f.Fatal(err)
	}
	b := &coretest.Builder{}
	b.Route(abi.RouteRequest{Now: t0, Model: "gpt-4o-mini", InputTokens: 100})
	b.Apply(abi.Event{Now: t0, Outcome: &abi.Outcome{Attempt: 1, Result: abi.Success, Usage: abi.Usage{InputTokens: 90, OutputTokens: 10}}})
	b.Apply(abi.Event{Now: t0, Key: &abi.Key{ID: "k9", Provider: "groq", Tags: []string{"eu"}}})
	for i, call := range b.Calls {
		f.Add(byte(i%2), call.In)
	}
	f.Add(byte(2), []byte{})
	f.Add(byte(3), seeded)
	f.Add(byte(3), seeded[:len(seeded)/2])
	f.Add(byte(4), []byte{0xc1})
	f.Add(byte(0), []byte{0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 'v', 0x01})

	hosts := []struct {
		name string
		core coretest.Core
	}{
		{"wazero", wazeroCore{newCore(f, wasmcore.Config{})}},
		{"extism", wasmtest.NewExtism(f, compileExtism(f))},
	}
	ops := [...]string{coretest.OpApply, coretest.OpRoute, coretest.OpSnapshot, coretest.OpRestore, coretest.OpVersion}
	f.Fuzz(func(t *testing.T, opSel byte, in []byte) {
		op := ops[int(opSel)%len(ops)]
		if _, err := native.Call(coretest.OpRestore, seeded); err != nil {
			t.Fatal(err)
		}
		want := coretest.Invoke(native, coretest.Call{Op: op, In: in})
		wantState := coretest.Invoke(native, coretest.Call{Op: coretest.OpSnapshot})
		for _, h := range hosts {
			if _, err := h.core.Call(coretest.OpRestore, seeded); err != nil {
				t.Fatalf("%s: restore: %v", h.name, err)
			}
			var callErr error
			got := coretest.Invoke(callFunc(func(op string, in []byte) ([]byte, error) {
				out, err := h.core.Call(op, in)
				callErr = err
				return out, err
			}), coretest.Call{Op: op, In: in})
			if errors.Is(callErr, wasmcore.ErrTrapped) {
				t.Fatalf("%s %s trapped: %v", h.name, op, callErr)
			}
			if got.Code != want.Code || got.Message != want.Message || !bytes.Equal(got.Out, want.Out) {
				t.Fatalf("%s %s %x:\n got    %s %q %x\n native %s %q %x", h.name, op, in,
					got.Code, got.Message, got.Out, want.Code, want.Message, want.Out)
			}
			state := coretest.Invoke(h.core, coretest.Call{Op: coretest.OpSnapshot})
			if state.Code != abi.OK || !bytes.Equal(state.Out, wantState.Out) {
				t.Fatalf("%s: the state after %s %x differs from the native core's", h.name, op, in)
			}
		}
	})
}

// callFunc is a function as a [coretest.Core].
type callFunc func(op string, in []byte) ([]byte, error)

func (f callFunc) Call(op string, in []byte) ([]byte, error) { return f(op, in) }
