package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// maxKindLen bounds object kinds.
const maxKindLen = 32

// Record is one object returned by [Store.List].
type Record struct {
	// ID is the object's id within its kind.
	ID string
	// Value is the object's value; the caller owns it.
	Value []byte
	// Unsealed marks, from [Store.ListSealed], a value stored before its
	// kind was sealed.
	Unsealed bool
}

// Put stores value under (kind, id), replacing any previous value. Values
// are opaque to the store; the proxy keeps JSON or msgpack there. They are
// not encrypted: secrets belong in [Store.PutSecret], values that may hold
// credentials in [Store.PutSealed], and client tokens only as hashes. A kind is 1 to 32 characters of a-z,
// 0-9 and '_', starting with a letter (e.g. "providers", "client_keys").
func (s *Store) Put(kind, id string, value []byte) error {
	if err := validKindID(kind, id); err != nil {
		return fmt.Errorf("store: put: %w", err)
	}
	err := s.update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketObjects).CreateBucketIfNotExists([]byte(kind))
		if err != nil {
			return err
		}
		return b.Put([]byte(id), value)
	})
	if err != nil {
		return fmt.Errorf("store: put %s/%q: %w", kind, id, err)
	}
	return nil
}

// Get returns a copy of the value stored under (kind, id), or [ErrNotFound].
func (s *Store) Get(kind, id string) ([]byte, error) {
	if err := validKindID(kind, id); err != nil {
		return nil, fmt.Errorf("store: get: %w", err)
	}
	var value []byte
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketObjects).Bucket([]byte(kind))
		if b == nil {
			return ErrNotFound
		}
		v, ok := lookup(b, []byte(id))
		if !ok {
			return ErrNotFound
		}
		value = append([]byte{}, v...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: get %s/%q: %w", kind, id, err)
	}
	return value, nil
}

// List returns every object of kind, sorted by id (byte order). An unknown
// kind has no objects.
func (s *Store) List(kind string) ([]Record, error) {
	if err := validKind(kind); err != nil {
		return nil, fmt.Errorf("store: list: %w", err)
	}
	var recs []Record
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketObjects).Bucket([]byte(kind))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			recs = append(recs, Record{ID: string(k), Value: bytes.Clone(v)})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: list %s: %w", kind, err)
	}
	return recs, nil
}

// Delete removes the object under (kind, id). Deleting a missing object is
// not an error.
func (s *Store) Delete(kind, id string) error {
	if err := validKindID(kind, id); err != nil {
		return fmt.Errorf("store: delete: %w", err)
	}
	err := s.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketObjects).Bucket([]byte(kind))
		if b == nil {
			return nil
		}
		return b.Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("store: delete %s/%q: %w", kind, id, err)
	}
	return nil
}

// validKind accepts [a-z][a-z0-9_]{0,31}.
func validKind(kind string) error {
	ok := len(kind) > 0 && len(kind) <= maxKindLen && kind[0] >= 'a' && kind[0] <= 'z'
	for i := 0; ok && i < len(kind); i++ {
		c := kind[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if !ok {
		return fmt.Errorf("%w: kind %q must match [a-z][a-z0-9_]{0,%d}", ErrInvalid, kind, maxKindLen-1)
	}
	return nil
}

// lookup is [bolt.Bucket.Get] that tells an empty value from a missing
// key: Get returns nil for both while the value is uncommitted.
func lookup(b *bolt.Bucket, key []byte) ([]byte, bool) {
	k, v := b.Cursor().Seek(key)
	return v, bytes.Equal(k, key)
}

// validKindID validates both parts of an object's name.
func validKindID(kind, id string) error {
	if err := validKind(kind); err != nil {
		return err
	}
	return validID(id)
}
