// Package store is the proxy's embedded, single-file database (bbolt) in
// APIKEYROUTER_DATA_DIR. It keeps what must survive a restart or a kill -9:
//
//   - provider secrets, encrypted with AES-256-GCM under a per-store data
//     key that is itself wrapped by a key derived (Argon2id) from the master
//     key APIKEYROUTER_ENCRYPTION_KEY, so the master key rotates by
//     rewrapping one record ([Store.RotateMasterKey]);
//   - configuration objects, opaque values by kind and id ([Store.Put]);
//   - the core's latest snapshot and a journal of every input given to the
//     core since it ([Store.Enqueue], [Store.SaveSnapshot]), from which the
//     proxy rebuilds the core's exact state: no budget spend, cooldown or
//     key is lost.
//
// One process opens the store at a time; a second [Open] fails with
// [ErrLocked] after [Options.LockTimeout].
//
// # Usage
//
// Open the store with the master key:
//
//	key, created, err := store.LoadOrCreateMasterKey(dataDir, os.Getenv("APIKEYROUTER_ENCRYPTION_KEY"))
//	if err != nil {
//		return err
//	}
//	if created {
//		log.Warn("generated a master key in data dir; keep a copy apart from the data")
//	}
//	st, err := store.Open(dataDir, store.Options{MasterKey: key})
//	if err != nil {
//		return err // ErrWrongMasterKey, ErrLocked, ErrUnwritable …
//	}
//	defer st.Close()
//
// Keep secrets encrypted, and read them when a request needs one:
//
//	err = st.PutSecret("openai-1", []byte(apiKey))
//	secret, err := st.Secret("openai-1")
//	defer clear(secret)
//
// Recover the core: restore the latest snapshot, then replay the journal
// after it:
//
//	seq, state, err := st.LatestSnapshot()
//	switch {
//	case err == nil:
//		core.Restore(state)
//	case !errors.Is(err, store.ErrNotFound):
//		return err
//	}
//	err = st.Replay(seq, func(s uint64, data []byte) error {
//		seq = s
//		return core.Apply(data)
//	})
//
// Journal each input under the lock that orders the core's inputs, and wait
// for durability after releasing it, so concurrent requests share one fsync.
// Act on the core's output (call the provider, answer the client) only once
// wait returns, so a crash cannot lose a budget reservation already spent:
//
//	mu.Lock()
//	seq++
//	out := core.Apply(input)
//	wait := st.Enqueue(store.Entry{Seq: seq, Data: input})
//	mu.Unlock()
//	if err := wait(); err != nil {
//		return err // not durable: fail the request and stop taking mutations
//	}
//
// Snapshot now and then; the journal entries the snapshot covers go in the
// same transaction:
//
//	mu.Lock()
//	snapSeq, state := seq, core.Snapshot()
//	mu.Unlock()
//	err = st.SaveSnapshot(snapSeq, state)
//
// # Notes
//
// When the data directory is read-only, or the disk is full, Open and
// writes fail with [ErrUnwritable], never a panic. The proxy should refuse
// to start with a message naming APIKEYROUTER_DATA_DIR when Open fails; when
// a write fails at run time, it should fail the request, report not ready
// and retry a snapshot (see [Store.Enqueue]) rather than serve with state it
// cannot persist.
//
// The plaintext data key lives only in memory and is zeroed by
// [Store.Close]; the master key is not retained after [Open]. Secrets never
// reach the file in clear, in any encoding. Objects are stored as given:
// keep credentials among them only as hashes.
package store
