package store_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"sync"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/store"
)

// The proxy's life with its store: open, keep a secret, journal the core's
// inputs, snapshot, and recover after a restart.
func Example() {
	dataDir, err := os.MkdirTemp("", "apikeyrouter-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dataDir)

	// The proxy passes os.Getenv("APIKEYROUTER_ENCRYPTION_KEY").
	key, created, err := store.LoadOrCreateMasterKey(dataDir, "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("generated a master key:", created)
	st, err := store.Open(dataDir, store.Options{MasterKey: key})
	if err != nil {
		log.Fatal(err)
	}

	if err := st.PutSecret("openai-1", []byte("sk-proj-example")); err != nil {
		log.Fatal(err)
	}

	// Journal inputs in core order; wait for durability outside the lock.
	var (
		mu  sync.Mutex
		seq uint64
	)
	for _, input := range []string{"add key openai-1", "spend 120", "spend 80"} {
		mu.Lock()
		seq++
		wait := st.Enqueue(store.Entry{Seq: seq, Data: []byte(input)})
		mu.Unlock()
		if err := wait(); err != nil {
			log.Fatal(err)
		}
	}
	if err := st.SaveSnapshot(2, []byte("state: key openai-1, spent 120")); err != nil {
		log.Fatal(err)
	}
	st.Close()

	// After a restart: the snapshot, then the journal after it.
	st, err = store.Open(dataDir, store.Options{MasterKey: key})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	snapSeq, state, err := st.LatestSnapshot()
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		log.Fatal(err)
	}
	fmt.Printf("snapshot at %d: %s\n", snapSeq, state)
	err = st.Replay(snapSeq, func(seq uint64, data []byte) error {
		fmt.Printf("replay %d: %s\n", seq, data)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	secret, err := st.Secret("openai-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("secret openai-1 has %d bytes\n", len(secret))
	clear(secret)

	// Output:
	// generated a master key: true
	// snapshot at 2: state: key openai-1, spent 120
	// replay 3: spend 80
	// secret openai-1 has 15 bytes
}
