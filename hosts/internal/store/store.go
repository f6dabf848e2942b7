package store

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FileName is the name of the database file inside the data directory.
const FileName = "apikeyrouter.db"

// schemaVersion is the layout written by this package. Open refuses a
// database written with another one rather than misreading it.
const schemaVersion = 1

// defaultLockTimeout bounds how long Open waits for another instance's lock.
const defaultLockTimeout = time.Second

// Top-level buckets. Objects live in one nested bucket per kind under
// bucketObjects, so no kind can collide with the store's own buckets.
var (
	bucketMeta     = []byte("meta")     // keySchema, keyKeyring
	bucketSecrets  = []byte("secrets")  // id → sealed secret
	bucketObjects  = []byte("objects")  // kind → (id → value)
	bucketSnapshot = []byte("snapshot") // keySnapSeq, keySnapData, keySnapSum

	keySchema   = []byte("schema")
	keyKeyring  = []byte("keyring")
	keySnapSeq  = []byte("seq")
	keySnapData = []byte("data")
	keySnapSum  = []byte("crc32c") // of the data; absent in stores written before it
)

// Options configures [Open].
type Options struct {
	// MasterKey is the master key (APIKEYROUTER_ENCRYPTION_KEY, or the
	// content of the master key file; see [LoadOrCreateMasterKey]). It is
	// required: Open returns [ErrInvalid] when it is empty. It derives the
	// key that wraps the store's data key; Open does not retain it.
	MasterKey []byte

	// LockTimeout is how long Open waits for the file lock that another
	// instance holds before it fails with [ErrLocked]. Zero means 1 s.
	LockTimeout time.Duration

	// NoSync skips fsync on commit: a crash of the machine (not of the
	// process) may lose recent writes or corrupt the file. For tests and
	// benchmarks only. The default, false, makes every commit durable.
	NoSync bool

	// MaxSize caps the database file in bytes: a write that would grow it
	// further fails with [ErrUnwritable] instead of filling the disk. Zero
	// means no limit.
	MaxSize int

	// KDF is the Argon2id cost used when Open creates the key record and
	// when [Store.RotateMasterKey] rewrites it. An existing record is
	// always opened with the parameters stored in it. The zero value means
	// the defaults documented on [KDFParams].
	KDF KDFParams
}

// Store is the proxy's embedded database: encrypted secrets, configuration
// objects and the core's latest snapshot. All methods are safe for
// concurrent use.
type Store struct {
	db     *bolt.DB
	path   string
	kdf    KDFParams
	closed atomic.Bool
	// broken holds the ErrCorrupt that bbolt panicked with in a write
	// transaction: its rollback may not have released the database's
	// lock, so no later write or Close calls into bbolt.
	broken atomic.Pointer[error]

	keyMu sync.RWMutex
	dek   []byte      // plaintext data key; nil once closed
	aead  cipher.AEAD // AES-256-GCM under dek; nil once closed
}

// Open opens the store in dir, creating the directory (mode 0700) and the
// database file [FileName] (mode 0600) when they do not exist. On first use
// it generates the data key and wraps it under opts.MasterKey; afterwards it
// unwraps it, failing with [ErrWrongMasterKey] for any other key.
//
// Open fails with [ErrLocked] after opts.LockTimeout when another instance
// holds the database, with [ErrUnwritable] when dir or the file cannot be
// written, and with [ErrCorrupt] when the file is damaged: it checks an
// existing file before writing to it (see checkFile). Close the store
// with [Store.Close].
func Open(dir string, opts Options) (*Store, error) {
	if len(opts.MasterKey) == 0 {
		return nil, fmt.Errorf("store: open: %w: empty master key", ErrInvalid)
	}
	kdf := opts.KDF.orDefault()
	if err := kdf.validate(); err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: open: %w", storageErr(err))
	}
	path := filepath.Join(dir, FileName)
	fi, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)

	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = defaultLockTimeout
	}
	var err error
	if statErr == nil && fi.Size() > 0 {
		err = checkFile(path, fi.Size(), timeout)
	}
	var db *bolt.DB
	if err == nil {
		db, err = openDB(path, &bolt.Options{Timeout: timeout, NoSync: opts.NoSync, MaxSize: opts.MaxSize})
	}
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("store: open %s: %w (waited %v)", path, ErrLocked, timeout)
	case err != nil:
		return nil, fmt.Errorf("store: open: %w", storageErr(err))
	}
	if created && !opts.NoSync {
		if err := syncDir(dir); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: open: %w", storageErr(err))
		}
	}

	s := &Store{db: db, path: path, kdf: kdf}
	err = s.update(func(tx *bolt.Tx) error {
		if err := initSchema(tx); err != nil {
			return err
		}
		return s.initKey(tx, opts.MasterKey)
	})
	if err != nil {
		if s.broken.Load() == nil {
			db.Close()
		}
		s.zeroKey()
		if errors.Is(err, ErrWrongMasterKey) {
			return nil, fmt.Errorf("store: open %s: %w: %s", path, err, wrongKeyHint(dir))
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	return s, nil
}

// openDB opens the database at path for writing. A damaged file that
// checkFile let through may still make bbolt panic, reading its free
// list: that is [ErrCorrupt] too.
func openDB(path string, opts *bolt.Options) (db *bolt.DB, err error) {
	defer catch(path, &err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return bolt.Open(path, 0o600, opts)
}

// initSchema creates the buckets of a new database, or checks the schema
// version of an existing one.
func initSchema(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta != nil {
		v := meta.Get(keySchema)
		if len(v) != 8 {
			return fmt.Errorf("%w: missing schema version", ErrCorrupt)
		}
		if got := binary.BigEndian.Uint64(v); got != schemaVersion {
			return fmt.Errorf("unsupported schema version %d (this build reads %d)", got, schemaVersion)
		}
		return nil
	}
	for _, name := range [][]byte{bucketMeta, bucketSecrets, bucketObjects, bucketSnapshot} {
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint64(nil, schemaVersion))
}

// Close waits for the transactions in progress, releases the database
// lock and zeroes the data key held in memory. Every later call, Close
// included, returns [ErrClosed].
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return ErrClosed
	}
	s.zeroKey()
	if err := s.broken.Load(); err != nil {
		// bbolt's Close could wait forever for the lock of the write
		// transaction that panicked; the file is released when the
		// process exits.
		return fmt.Errorf("store: close: %w", *err)
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// update runs fn in a read-write transaction; view runs it in a read-only
// one. Both translate bbolt's storage errors into the package's sentinels,
// and a panic of bbolt's on a damaged page, or a fault reading past the
// file, into [ErrCorrupt]. After such a panic in update, every later
// update returns that error without calling bbolt: its rollback may not
// have finished, and the database's lock may be held for good.
func (s *Store) update(fn func(*bolt.Tx) error) (err error) {
	if broken := s.broken.Load(); broken != nil {
		return *broken
	}
	defer s.catchWrite(&err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return storageErr(s.db.Update(fn))
}

func (s *Store) view(fn func(*bolt.Tx) error) (err error) {
	defer catch(s.path, &err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return storageErr(s.db.View(fn))
}

// catchWrite is catch for update: it also marks the store broken.
func (s *Store) catchWrite(err *error) {
	if r := recover(); r != nil {
		broken := panicked(s.path, r)
		s.broken.CompareAndSwap(nil, &broken)
		*err = broken
	}
}

// syncDir makes a new directory entry in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
