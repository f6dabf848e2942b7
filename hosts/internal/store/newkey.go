package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// NewMasterKeyFile is the file in the data directory that holds the new
// master key while a rotation to it is under way: [StageMasterKey] writes
// it before [Store.RotateMasterKey], [PromoteMasterKey] moves it over
// [MasterKeyFile] after. Found at start, it is a rotation that a crash
// interrupted, and [LoadOrCreateMasterKey] finishes or discards it.
const NewMasterKeyFile = MasterKeyFile + ".new"

// StageMasterKey writes key to <dir>/[NewMasterKeyFile] (mode 0600) and
// makes it durable, the file and its directory entry, so that however a
// crash interrupts the rotation that follows, the key in force is on
// disk. The file is written whole or not at all (a temporary file renamed
// into place).
func StageMasterKey(dir string, key []byte) error {
	tmp, err := os.CreateTemp(dir, ".master.key.new.*") // mode 0600
	if err != nil {
		return fmt.Errorf("store: stage master key: %w", storageErr(err))
	}
	defer os.Remove(tmp.Name())
	line := append(append(make([]byte, 0, len(key)+1), key...), '\n')
	defer clear(line)
	_, err = tmp.Write(line)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, NewMasterKeyFile))
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("store: stage master key: %w", storageErr(err))
	}
	return nil
}

// PromoteMasterKey moves <dir>/[NewMasterKeyFile] over [MasterKeyFile] and
// makes the move durable: the last step of a rotation, once
// [Store.RotateMasterKey] has committed.
func PromoteMasterKey(dir string) error {
	err := os.Rename(filepath.Join(dir, NewMasterKeyFile), filepath.Join(dir, MasterKeyFile))
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("store: move %s over %s: %w", NewMasterKeyFile, MasterKeyFile, storageErr(err))
	}
	return nil
}

// finishRotation settles the rotation that left <dir>/[NewMasterKeyFile]
// behind, cur being the content of [MasterKeyFile], and returns the key in
// force. If cur still opens the store, the rotation never committed: the
// staged key is removed. If the staged key opens it, the rotation
// committed and only the move was missing: it is made now. Either is
// logged (slog's default logger). Without a store, nothing is touched.
func finishRotation(dir string, cur []byte) ([]byte, error) {
	staged := filepath.Join(dir, NewMasterKeyFile)
	next, err := readMasterKey(staged)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return cur, nil
	case err != nil:
		return nil, err
	}
	rec, err := readKeyRecord(dir)
	switch {
	case errors.Is(err, ErrNotFound):
		clear(next)
		return cur, nil
	case err != nil:
		clear(next)
		return nil, fmt.Errorf("store: master key: %w", err)
	}
	opens := func(key []byte) (bool, error) {
		dek, err := rec.unwrap(key)
		clear(dek)
		if errors.Is(err, ErrWrongMasterKey) {
			return false, nil
		}
		return err == nil, err
	}
	curOpens, err := opens(cur)
	nextOpens := false
	if err == nil && !curOpens {
		nextOpens, err = opens(next)
	}
	switch {
	case err != nil:
		clear(next)
		return nil, fmt.Errorf("store: master key: %w", err)
	case curOpens:
		clear(next)
		if err := os.Remove(staged); err != nil {
			return nil, fmt.Errorf("store: master key: remove %s: %w", staged, storageErr(err))
		}
		slog.Default().Warn("store: a master key rotation was interrupted before it took effect; "+
			MasterKeyFile+" still opens the store, removed "+NewMasterKeyFile, "dir", dir)
		return cur, syncDir(dir)
	case !nextOpens:
		clear(next)
		return nil, fmt.Errorf("%w: neither %s nor %s opens the store", ErrWrongMasterKey,
			filepath.Join(dir, MasterKeyFile), staged)
	}
	if err := PromoteMasterKey(dir); err != nil {
		clear(next)
		return nil, err
	}
	slog.Default().Warn("store: finished an interrupted master key rotation: the store opens with the new key; moved "+
		NewMasterKeyFile+" over "+MasterKeyFile, "dir", dir)
	return next, nil
}

// readKeyRecord reads the key record of the store in dir, opening the
// database read-only. It returns [ErrNotFound] when there is no database
// or no record yet.
func readKeyRecord(dir string) (rec keyRecord, err error) {
	path := filepath.Join(dir, FileName)
	switch fi, err := os.Stat(path); {
	case errors.Is(err, fs.ErrNotExist) || err == nil && fi.Size() == 0:
		return rec, ErrNotFound
	case err != nil:
		return rec, storageErr(err)
	}
	defer catch(path, &err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	db, err := openReadOnly(path, defaultLockTimeout)
	if errors.Is(err, berrors.ErrTimeout) {
		return rec, fmt.Errorf("%s: %w", path, ErrLocked)
	} else if err != nil {
		return rec, err
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return ErrNotFound
		}
		raw := meta.Get(keyKeyring)
		if raw == nil {
			return ErrNotFound
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fmt.Errorf("%w: key record: %v", ErrCorrupt, err)
		}
		return nil
	})
	return rec, err
}

// wrongKeyHint says which master key a store in dir that refused one
// wants.
func wrongKeyHint(dir string) string {
	hint := "the store opens only with the key it was created or last rotated with " +
		"(after `apikeyrouter rotate-master-key`, the one it was given as APIKEYROUTER_NEW_ENCRYPTION_KEY)"
	if staged := filepath.Join(dir, NewMasterKeyFile); fileExists(staged) {
		hint += "; an interrupted rotation left a key in " + staged
	}
	return hint
}

// fileExists reports whether path names a file (or anything else).
func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
