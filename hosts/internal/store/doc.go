// Package store is the proxy's embedded, single-file database (bbolt) in
// APIKEYROUTER_DATA_DIR. It keeps what must survive a restart or a kill -9:
//
//   - provider secrets, encrypted with AES-256-GCM under a per-store data
//     key that is itself wrapped by a key derived (Argon2id) from the master
//     key APIKEYROUTER_ENCRYPTION_KEY, so the master key rotates by
//     rewrapping one record ([Store.RotateMasterKey]);
//   - configuration objects, opaque values by kind and id ([Store.Put]),
//     sealed under the same data key when they may hold credentials, as
//     a provider's headers and base URL may ([Store.PutSealed]);
//   - the core's latest snapshot ([Store.SaveSnapshot]), from which, with
//     the journal of the inputs after it (package wal, an append-only log
//     file: a bbolt commit per input would cost far more than a write), the
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
// after it (see package wal):
//
//	snapSeq, state, err := st.LatestSnapshot()
//	switch {
//	case err == nil:
//		core.Restore(state)
//	case !errors.Is(err, store.ErrNotFound):
//		return err
//	}
//	err = journal.Replay(snapSeq, func(seq uint64, input []byte) error {
//		return core.Apply(input)
//	})
//
// Snapshot now and then, atomically, then let the journal drop the inputs
// the snapshot covers:
//
//	mu.Lock()
//	snapSeq, state := seq, core.Snapshot()
//	mu.Unlock()
//	if err := st.SaveSnapshot(snapSeq, state); err != nil {
//		return err
//	}
//	err = journal.Rotate(snapSeq)
//
// # Notes
//
// When the data directory is read-only, or the disk is full, Open and
// writes fail with [ErrUnwritable], never a panic. A damaged database file
// (a page overwritten, the file cut short) is [ErrCorrupt], never a panic
// either: Open checks an existing file before it writes to it, and calls
// that meet a page damaged since return the error. The proxy should refuse
// to start with a message naming APIKEYROUTER_DATA_DIR when Open fails; when
// a write fails at run time, it should fail the request, report not ready
// and retry rather than serve with state it cannot persist.
//
// The plaintext data key lives only in memory and is zeroed by
// [Store.Close]; the master key is not retained after [Open]. Secrets never
// reach the file in clear, in any encoding. Objects are stored as given:
// keep credentials among them only as hashes.
package store
