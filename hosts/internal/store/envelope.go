package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/argon2"
)

// Envelope encryption: a random 256-bit data key (DEK) encrypts every secret
// with AES-256-GCM; the DEK is stored wrapped (AES-256-GCM) under a key
// encryption key (KEK) that Argon2id derives from the master key and a
// random salt. Rotating the master key rewrites only the wrapped DEK.

const (
	keySize  = 32 // AES-256
	saltSize = 16
	kdfName  = "argon2id"
)

// dekAAD binds the wrapped DEK to its purpose, so no other ciphertext of
// this package can stand in for it.
var dekAAD = []byte("apikeyrouter/store/dek/v1")

// KDFParams are the Argon2id costs that derive the key encryption key from
// the master key (RFC 9106). The defaults are RFC 9106's second recommended
// option: Time 3, MemoryKiB 65536 (64 MiB), Threads 4. A zero field takes
// its default. The derivation runs once per [Open] and per rotation.
type KDFParams struct {
	// Time is the number of passes over the memory; default 3.
	Time uint32 `json:"t"`
	// MemoryKiB is the memory used, in KiB; default 65536 (64 MiB).
	MemoryKiB uint32 `json:"m"`
	// Threads is the number of lanes computed in parallel; default 4.
	Threads uint8 `json:"p"`
}

// orDefault fills the zero fields of p with the defaults.
func (p KDFParams) orDefault() KDFParams {
	if p.Time == 0 {
		p.Time = 3
	}
	if p.MemoryKiB == 0 {
		p.MemoryKiB = 64 * 1024
	}
	if p.Threads == 0 {
		p.Threads = 4
	}
	return p
}

// validate bounds the costs, so neither a typo nor a tampered key record
// can make Open allocate unbounded memory or spin for hours.
func (p KDFParams) validate() error {
	switch {
	case p.Time < 1 || p.Time > 64:
		return fmt.Errorf("%w: argon2id time %d outside [1, 64]", ErrInvalid, p.Time)
	case p.Threads < 1:
		return fmt.Errorf("%w: argon2id threads must be at least 1", ErrInvalid)
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > 4<<20:
		return fmt.Errorf("%w: argon2id memory %d KiB outside [8×threads, 4 GiB]", ErrInvalid, p.MemoryKiB)
	}
	return nil
}

// keyRecord is the wrapped DEK with what is needed to derive its KEK. It is
// stored as JSON under meta/keyring.
type keyRecord struct {
	KDF    string    `json:"kdf"`
	Params KDFParams `json:"params"`
	Salt   []byte    `json:"salt"`
	// Wrapped is nonce ‖ AES-256-GCM(KEK, DEK, dekAAD) ‖ tag.
	Wrapped []byte `json:"wrapped_dek"`
}

// initKey loads the DEK of the store by unwrapping the key record with
// master, or, in a new store, generates a DEK and writes its key record.
func (s *Store) initKey(tx *bolt.Tx, master []byte) error {
	meta := tx.Bucket(bucketMeta)
	if raw := meta.Get(keyKeyring); raw != nil {
		var rec keyRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fmt.Errorf("%w: key record: %v", ErrCorrupt, err)
		}
		dek, err := rec.unwrap(master)
		if err != nil {
			return err
		}
		return s.setKey(dek)
	}
	dek := make([]byte, keySize)
	rand.Read(dek)
	raw, err := wrapDEK(master, dek, s.kdf)
	if err == nil {
		err = meta.Put(keyKeyring, raw)
	}
	if err != nil {
		clear(dek)
		return err
	}
	return s.setKey(dek)
}

// wrapDEK wraps dek under a KEK derived from master with a fresh salt and
// returns the encoded key record.
func wrapDEK(master, dek []byte, p KDFParams) ([]byte, error) {
	rec := keyRecord{KDF: kdfName, Params: p, Salt: make([]byte, saltSize)}
	rand.Read(rec.Salt)
	kek := deriveKEK(master, rec.Salt, p)
	defer clear(kek)
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	rec.Wrapped = aead.Seal(nil, nil, dek, dekAAD)
	raw, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("encode key record: %w", err)
	}
	return raw, nil
}

// unwrap derives the KEK from master and returns the plaintext DEK.
func (rec keyRecord) unwrap(master []byte) ([]byte, error) {
	if rec.KDF != kdfName || len(rec.Salt) != saltSize {
		return nil, fmt.Errorf("%w: key record: unsupported kdf or salt", ErrCorrupt)
	}
	if err := rec.Params.validate(); err != nil {
		return nil, fmt.Errorf("%w: key record: %v", ErrCorrupt, err)
	}
	kek := deriveKEK(master, rec.Salt, rec.Params)
	defer clear(kek)
	aead, err := newAEAD(kek)
	if err != nil {
		return nil, err
	}
	dek, err := aead.Open(nil, nil, rec.Wrapped, dekAAD)
	if err != nil || len(dek) != keySize {
		// GCM cannot tell a wrong key from a modified record; a wrong key
		// is by far the likelier cause.
		return nil, ErrWrongMasterKey
	}
	return dek, nil
}

// deriveKEK runs Argon2id over the master key.
func deriveKEK(master, salt []byte, p KDFParams) []byte {
	return argon2.IDKey(master, salt, p.Time, p.MemoryKiB, p.Threads, keySize)
}

// newAEAD returns AES-256-GCM under key with a random nonce prepended to
// each ciphertext.
func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("aes: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("gcm: %w", err)
	}
	return aead, nil
}

// setKey installs dek as the store's data key. The store owns dek from now
// on and zeroes it on Close.
func (s *Store) setKey(dek []byte) error {
	aead, err := newAEAD(dek)
	if err != nil {
		clear(dek)
		return err
	}
	s.keyMu.Lock()
	s.dek, s.aead = dek, aead
	s.keyMu.Unlock()
	return nil
}

// zeroKey forgets the data key. The expanded AES key schedule inside the
// AEAD is not reachable and is left to the garbage collector.
func (s *Store) zeroKey() {
	s.keyMu.Lock()
	clear(s.dek)
	s.dek, s.aead = nil, nil
	s.keyMu.Unlock()
}

// withKey runs fn with the data key held, or returns [ErrClosed].
func (s *Store) withKey(fn func(dek []byte, aead cipher.AEAD) error) error {
	s.keyMu.RLock()
	defer s.keyMu.RUnlock()
	if s.aead == nil {
		return ErrClosed
	}
	return fn(s.dek, s.aead)
}
