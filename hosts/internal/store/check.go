package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// A damaged database file. bbolt trusts its pages: one that is not what
// its parent says makes it panic ("assertion failed: Page expected to be
// …"), and a page number past the end of the file makes it read outside
// its memory map, which kills the process unless the goroutine asked for
// a panic instead (debug.SetPanicOnFault). So [Open] checks the file
// before bbolt writes to it, and every transaction turns a panic into
// [ErrCorrupt].

// corrupt returns the error for the database file at path, damaged as
// cause says, with what the operator can do.
func corrupt(path string, cause any) error {
	return fmt.Errorf("%w: %s: %v; restore the data directory from a backup, or move %s and the journal "+
		"out of it to start afresh (the secrets and settings stored in the file are lost then)",
		ErrCorrupt, path, cause, filepath.Base(path))
}

// catch, deferred, turns a panic into an [ErrCorrupt] of the database at
// path, in *err. Defer it before debug.SetPanicOnFault(true), so that a
// fault reading the memory map is caught too.
func catch(path string, err *error) {
	if r := recover(); r != nil {
		*err = panicked(path, r)
	}
}

// panicked is the error for bbolt's panic r on the database at path.
func panicked(path string, r any) error {
	return corrupt(path, fmt.Sprintf("bbolt panicked: %v", r))
}

// checkFile checks the existing database at path, size bytes long,
// without writing to it: the file holds every page its meta page counts
// (bbolt would read past the end of a file cut short, or write garbage
// offsets into it), every page reachable from the root reads as what its
// parent says, and bbolt's consistency check ([bolt.Tx.Check]: key order,
// no page both used and free or lost) passes. It costs ~80 µs for a
// thousand secrets and a snapshot, ~0.6 ms for ten thousand
// (BenchmarkCheckFile), against ~150 ms for the Argon2id derivation of
// every Open. A file another process holds fails with
// [berrors.ErrTimeout] after timeout.
func checkFile(path string, size int64, timeout time.Duration) (err error) {
	defer catch(path, &err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	db, err := openReadOnly(path, timeout)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *bolt.Tx) error {
		if tx.Size() > size {
			return corrupt(path, fmt.Sprintf("the file is %d bytes, its meta page counts %d: it was cut short", size, tx.Size()))
		}
		// Every page bbolt reads, here, where a fault is a panic; then
		// tx.Check, in a goroutine of its own, meets no page it could
		// fault on.
		if err := tx.ForEach(func(_ []byte, b *bolt.Bucket) error { walk(b); return nil }); err != nil {
			return err
		}
		var first error
		more := 0
		for err := range tx.Check() {
			if first == nil {
				first = err
			} else {
				more++
			}
		}
		switch {
		case more > 0:
			return corrupt(path, fmt.Sprintf("bbolt check: %v, and %d more problems", first, more))
		case first != nil:
			return corrupt(path, fmt.Sprintf("bbolt check: %v", first))
		}
		return nil
	})
}

// openReadOnly opens the database at path without writing to it. A file
// that is no bbolt database, or whose meta pages are damaged, is
// [ErrCorrupt]; one that another process holds fails with
// [berrors.ErrTimeout] after timeout.
func openReadOnly(path string, timeout time.Duration) (*bolt.DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	switch {
	case err == nil || errors.Is(err, berrors.ErrTimeout):
		return db, err
	case errors.Is(storageErr(err), ErrUnwritable):
		return nil, storageErr(err)
	}
	return nil, corrupt(path, err)
}

// walk reads every key of b and of the buckets nested in it, and so
// every branch and leaf page of theirs.
func walk(b *bolt.Bucket) {
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v != nil {
			continue
		}
		if child := b.Bucket(k); child != nil {
			walk(child)
		}
	}
}
