package wasmcore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wasmcore"
)

// TestHammer routes and reports outcomes from several goroutines at once
// on one Core: every call succeeds and every attempt id is handed out once.
func TestHammer(t *testing.T) {
	const goroutines, rounds = 8, 40
	ctx := context.Background()
	c := newCore(t, wasmcore.Config{SnapshotEvery: 50})
	for _, in := range fleetOf(t, 20) {
		if _, err := c.Apply(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[uint64]bool{}
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range rounds {
				out, err := c.Route(ctx, mustEncode(t, &abi.RouteRequest{V: abi.Version, Now: benchT0, Model: "gpt-4o-mini", InputTokens: 10}))
				var d abi.Decision
				if err == nil {
					err = abi.Decode(out, &d)
				}
				if err != nil || d.Code != abi.OK {
					t.Errorf("route: %v %s %s", err, d.Code, d.Message)
					return
				}
				mu.Lock()
				dup := seen[d.Attempt]
				seen[d.Attempt] = true
				mu.Unlock()
				if dup {
					t.Errorf("attempt %d handed out twice", d.Attempt)
				}
				ev := &abi.Event{V: abi.Version, Now: benchT0, Outcome: &abi.Outcome{Attempt: d.Attempt, Result: abi.Success}}
				if _, err := c.Apply(ctx, mustEncode(t, ev)); err != nil {
					t.Errorf("apply: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != goroutines*rounds {
		t.Errorf("%d attempts, want %d", len(seen), goroutines*rounds)
	}
}

func TestNewErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.wasm")
	// The smallest valid module: magic and version, nothing else.
	if err := os.WriteFile(empty, []byte("\x00asm\x01\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.wasm")
	if err := os.WriteFile(garbage, []byte("not wasm"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.wasm"), "no such file"},
		{garbage, "compile"},
		{empty, `no export "raw_apply"`},
	} {
		c, err := wasmcore.New(ctx, wasmcore.Config{WasmPath: tc.path})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%s) = %v, %v; want an error with %q", filepath.Base(tc.path), c, err, tc.want)
		}
	}
}

func TestClose(t *testing.T) {
	ctx := context.Background()
	c := newCore(t, wasmcore.Config{})
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.Version(ctx); !errors.Is(err, wasmcore.ErrClosed) {
		t.Errorf("Version after Close: %v, want ErrClosed", err)
	}
}
