package optimize

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
)

// dispatch is testdata/dispatch.wat: a function laid out as Go lays one
// out, with two forward jumps and a backward one, and two functions that
// are not.
func dispatch(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/dispatch.wasm")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestThreadJumps(t *testing.T) {
	in := dispatch(t)
	out, stats, err := ThreadJumps(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Jumps: 2, Entries: 1}); stats != want {
		t.Fatalf("threaded %+v, want %+v: the 2 forward jumps, f's entry", stats, want)
	}
	// i32.const 2; local.set 0; br — forward, to block 2 — is gone; the
	// jump back to block 1 stays
	if bytes.Contains(out, []byte{0x41, 0x02, 0x21, 0x00, 0x0c}) {
		t.Error("a forward jump still goes through the table")
	}
	if !bytes.Contains(out, []byte{0x41, 0x01, 0x21, 0x00, 0x0c, 0x02}) {
		t.Error("the backward jump was changed")
	}
	// f's entry: local.get 0; i32.eqz; br_if 0; then the table
	if !bytes.Contains(out, []byte{0x20, 0x00, 0x45, 0x0d, 0x00, 0x20, 0x00, 0x0e}) {
		t.Error("no branch for PC_B 0 before the table")
	}
	if again, stats, err := ThreadJumps(out); err != nil || stats != (Stats{}) || !bytes.Equal(again, out) {
		t.Errorf("threading twice: %+v more, %v", stats, err)
	}

	// the same results, through the compiler; a jump gone wrong may loop
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCloseOnContextDone(true))
	defer rt.Close(ctx)
	call := func(module []byte, fn string, args ...uint64) uint64 {
		t.Helper()
		mod, err := rt.Instantiate(ctx, module)
		if err != nil {
			t.Fatal(err)
		}
		defer mod.Close(ctx)
		res, err := mod.ExportedFunction(fn).Call(ctx, args...)
		if err != nil {
			t.Fatal(err)
		}
		return res[0]
	}
	for pc := range uint64(4) { // 0: a call; the others resume one
		for x := int64(-3); x <= 20; x++ {
			want, got := call(in, "f", pc, uint64(x)), call(out, "f", pc, uint64(x))
			if got != want {
				t.Errorf("f(%d, %d) = %d threaded, %d as built", pc, x, int64(got), int64(want))
			}
		}
	}
	if got := call(out, "g", 7); got != 21 {
		t.Errorf("g(7) = %d, want 21", got)
	}
	if h0, h5 := call(out, "h", 0), call(out, "h", 5); h0 != 2 || h5 != 1 {
		t.Errorf("h(0), h(5) = %d, %d, want 2, 1", h0, h5)
	}
}

func TestThreadJumpsRefusesMalformed(t *testing.T) {
	in := dispatch(t)
	for _, tc := range []struct {
		name   string
		module []byte
		err    string
	}{
		{"empty", nil, "not a WebAssembly module"},
		{"another version", append([]byte("\x00asm\x02\x00\x00\x00"), in[8:]...), "not a WebAssembly module"},
		{"unknown instruction", bytes.Replace(in, []byte{0x42, 0x03, 0x7e}, []byte{0x42, 0x03, 0xfd}, 1), "unknown instruction 0xfd"},
		{"section past the end", in[:len(in)-1], "truncated section"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := ThreadJumps(tc.module); err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want one about %q", err, tc.err)
			}
		})
	}
	// every prefix: an error or a module, never a panic
	for n := range in {
		_, _, _ = ThreadJumps(in[:n])
	}
}
