package core_test

import (
	"bytes"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/internal/coretest"
)

// TestSnapshotRestoreRoundTrip replays every golden vector, then restores
// the final snapshot into a new machine: its snapshot must be the same
// bytes, and so must the next decisions of both machines.
func TestSnapshotRestoreRoundTrip(t *testing.T) {
	vectors, err := coretest.LoadVectors("../testdata/vectors")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			a := coretest.NewNative()
			for _, c := range v.Calls {
				coretest.Invoke(a, c)
			}
			snap, err := a.Call(coretest.OpSnapshot, nil)
			if err != nil {
				t.Fatal(err)
			}
			b := coretest.NewNative()
			if _, err := b.Call(coretest.OpRestore, snap); err != nil {
				t.Fatalf("restore: %v", err)
			}
			again, _ := b.Call(coretest.OpSnapshot, nil)
			if !bytes.Equal(snap, again) {
				t.Fatal("a restored machine's snapshot differs")
			}
			req, _ := abi.Encode(&abi.RouteRequest{V: abi.Version, Now: coretest.ScenarioStart + abi.UnixNano(48*abi.Hour), Model: "gpt-4o-mini"})
			da, _ := a.Call(coretest.OpRoute, req)
			db, _ := b.Call(coretest.OpRoute, req)
			if !bytes.Equal(da, db) {
				t.Fatal("a restored machine decides differently")
			}
		})
	}
}
