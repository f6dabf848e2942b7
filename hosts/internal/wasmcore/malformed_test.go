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

// malformedInputs are inputs that no export may trap on.
func malformedInputs(t *testing.T) []struct {
	name string
	in   []byte
} {
	good := mustEncode(t, &abi.RouteRequest{V: abi.Version, Now: 1, Model: "m"})
	wrongVersion := mustEncode(t, &abi.RouteRequest{V: abi.Version + 1, Now: 1, Model: "m"})
	return []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)-3]},
		{"wrong-version", wrongVersion},
		{"not-a-map", []byte{0x93, 0x01, 0x02, 0x03}},
		{"absurd-array-length", []byte{0x82, 0xa1, 'v', 0x01, 0xa3, 'n', 'o', 'w', 0xdd, 0xff, 0xff, 0xff, 0xff}},
		{"absurd-string-length", []byte{0x82, 0xa1, 'v', 0x01, 0xa5, 'm', 'o', 'd', 'e', 'l', 0xdb, 0xff, 0xff, 0xff, 0xff}},
		{"absurd-map-length", []byte{0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 'v', 0x01}},
		{"10MB", append(bytes.Clone(good), make([]byte, 10<<20)...)},
		{"over-16MiB", append(bytes.Clone(good), make([]byte, abi.MaxMessageSize)...)},
	}
}

// TestMalformed sends malformed input to every export with an input,
// through the raw ABI and through Extism: each answers the native core's
// error code and message, and the core neither traps nor changes.
func TestMalformed(t *testing.T) {
	p := compileExtism(t)
	native := coretest.NewNative()
	wz := wazeroCore{newCore(t, wasmcore.Config{})}
	ex := wasmtest.NewExtism(t, p)
	for _, host := range []struct {
		name string
		core coretest.Core
	}{{"wazero", wz}, {"extism", ex}} {
		for _, in := range malformedInputs(t) {
			for _, op := range []string{coretest.OpApply, coretest.OpRoute, coretest.OpRestore} {
				t.Run(host.name+"/"+op+"/"+in.name, func(t *testing.T) {
					want := coretest.Invoke(native, coretest.Call{Op: op, In: in.in})
					_, err := host.core.Call(op, in.in)
					if errors.Is(err, wasmcore.ErrTrapped) {
						t.Fatalf("trapped: %v", err)
					}
					var got *abi.Error
					if !errors.As(err, &got) || got.Code == abi.OK || got.Code != want.Code || got.Message != want.Message {
						t.Fatalf("got %v; want %s: %s", err, want.Code, want.Message)
					}
				})
			}
		}
		t.Run(host.name+"/unchanged", func(t *testing.T) {
			for _, op := range []string{coretest.OpVersion, coretest.OpSnapshot} {
				got := coretest.Invoke(host.core, coretest.Call{Op: op})
				want := coretest.Invoke(native, coretest.Call{Op: op})
				if got.Code != abi.OK || !bytes.Equal(got.Out, want.Out) {
					t.Errorf("%s after the malformed calls: %s %s %x; want %x", op, got.Code, got.Message, got.Out, want.Out)
				}
			}
		})
	}
}

// TestExtismIgnoresInput checks that the exports without an input
// (snapshot, version) ignore whatever input an Extism host passes.
func TestExtismIgnoresInput(t *testing.T) {
	p := compileExtism(t)
	ex := wasmtest.NewExtism(t, p)
	native := coretest.NewNative()
	for _, op := range []string{coretest.OpSnapshot, coretest.OpVersion} {
		want, _ := native.Call(op, nil)
		for _, in := range malformedInputs(t)[:7] {
			got, err := ex.Call(op, in.in)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s(%s) = %x, %v; want %x", op, in.name, got, err, want)
			}
		}
	}
}

func mustEncode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := abi.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
