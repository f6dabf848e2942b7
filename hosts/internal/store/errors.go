package store

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	berrors "go.etcd.io/bbolt/errors"
)

// Sentinel errors. Callers branch on them with [errors.Is]; the errors the
// store returns wrap them with the operation and, where useful, the cause.
var (
	// ErrWrongMasterKey is returned by [Open] when the master key does not
	// unwrap the store's data key: it is not the key the store was created
	// or last rotated with (or the key record was tampered with).
	ErrWrongMasterKey = errors.New("store: wrong master key")

	// ErrNoMasterKey is returned by [LoadOrCreateMasterKey] when a database
	// already exists but neither the environment value nor the master key
	// file provides its key. Generating a fresh key would only lock the
	// existing secrets away, so the operator has to supply the old one.
	ErrNoMasterKey = errors.New("store: database exists but no master key is configured")

	// ErrLocked is returned by [Open] when another process (or another
	// [Store] in this process) holds the database open.
	ErrLocked = errors.New("store: database is locked by another instance")

	// ErrUnwritable is returned when the data directory or the database
	// cannot be written: a read-only file system, missing permissions, a
	// full disk or [Options.MaxSize] reached.
	ErrUnwritable = errors.New("store: storage is not writable")

	// ErrClosed is returned by every method called after [Store.Close].
	ErrClosed = errors.New("store: closed")

	// ErrNotFound is returned when a secret, object or snapshot does not
	// exist.
	ErrNotFound = errors.New("store: not found")

	// ErrInvalid is returned for a malformed argument: an empty master
	// key, an empty or too long id, a kind outside the allowed charset.
	ErrInvalid = errors.New("store: invalid argument")

	// ErrCorrupt is returned when stored data fails authentication or does
	// not parse: a ciphertext moved to another id, flipped bits, an unknown
	// record version. It is also returned, naming the file and what to do,
	// when the database file itself is damaged: by [Open] for a file cut
	// short or failing bbolt's checks, and by any call that meets a damaged
	// page later (where bbolt would panic).
	ErrCorrupt = errors.New("store: corrupt data")

	// ErrOutOfOrder is returned by [Store.SaveSnapshot] when the snapshot's
	// sequence number is lower than the latest snapshot's.
	ErrOutOfOrder = errors.New("store: sequence number out of order")
)

// storageErr adds [ErrUnwritable] (and [ErrClosed] for a closed database) to
// err's chain where the cause means the storage refuses writes.
func storageErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, berrors.ErrDatabaseNotOpen):
		return ErrClosed
	case errors.Is(err, fs.ErrPermission),
		errors.Is(err, syscall.EROFS),
		errors.Is(err, syscall.ENOSPC),
		errors.Is(err, syscall.EDQUOT),
		errors.Is(err, berrors.ErrMaxSizeReached):
		return fmt.Errorf("%w: %w", ErrUnwritable, err)
	}
	return err
}
