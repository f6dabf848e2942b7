package store_test

import (
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/store"
)

// The proxy's life with its store: open, keep a secret, snapshot the core,
// and find both again after a restart. The journal of the inputs after the
// snapshot is package wal's.
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

	if err := st.SaveSnapshot(2, []byte("state: key openai-1, spent 120")); err != nil {
		log.Fatal(err)
	}
	st.Close()

	// After a restart: the snapshot, then (in the proxy) the journal after it.
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
	secret, err := st.Secret("openai-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("secret openai-1 has %d bytes\n", len(secret))
	clear(secret)

	// Output:
	// generated a master key: true
	// snapshot at 2: state: key openai-1, spent 120
	// secret openai-1 has 15 bytes
}
