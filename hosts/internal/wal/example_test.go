package wal_test

import (
	"fmt"
	"log"
	"os"
	"sync"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wal"
)

// The proxy's life with its journal: append inputs in core order, wait for
// durability outside the lock, rotate after a snapshot, and recover after
// a restart. The snapshot store is a variable here; the proxy uses
// store.SaveSnapshot and store.LatestSnapshot.
func Example() {
	dir, err := os.MkdirTemp("", "apikeyrouter-wal-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	journal, err := wal.Open(dir, wal.Options{Sync: wal.SyncBatch})
	if err != nil {
		log.Fatal(err)
	}
	var (
		mu      sync.Mutex // orders the core's inputs
		seq     = journal.Last()
		snapSeq uint64
	)
	for i, input := range []string{"add key openai-1", "route req-1", "outcome req-1: 120 µUSD", "route req-2"} {
		mu.Lock()
		if err := journal.Append(seq+1, []byte(input)); err != nil {
			mu.Unlock()
			log.Fatal(err)
		}
		seq++
		mine := seq // core.Apply(input) would run here
		mu.Unlock()
		if err := journal.WaitDurable(mine); err != nil {
			log.Fatal(err)
		}
		if i == 2 {
			snapSeq = seq // store.SaveSnapshot(seq, core.Snapshot())
			if err := journal.Rotate(snapSeq); err != nil {
				log.Fatal(err)
			}
		}
	}
	if err := journal.Close(); err != nil {
		log.Fatal(err)
	}

	// After a restart: the snapshot, then the records after it.
	journal, err = wal.Open(dir, wal.Options{Sync: wal.SyncBatch})
	if err != nil {
		log.Fatal(err)
	}
	defer journal.Close()
	fmt.Printf("snapshot at %d, log ends at %d\n", snapSeq, journal.Last())
	err = journal.Replay(snapSeq, func(seq uint64, input []byte) error {
		fmt.Printf("replay %d: %s\n", seq, input)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}

	// Output:
	// snapshot at 3, log ends at 4
	// replay 4: route req-2
}
