package store

import (
	"crypto/cipher"
	"fmt"
)

// Sealed objects are objects whose values may hold credentials — a
// provider's extra headers, a base URL's userinfo — encrypted under the
// data key as secrets are, each bound to its kind and id.

// objectAAD returns the additional data an object's value is sealed with,
// so that a ciphertext copied to another kind or id fails to open.
func objectAAD(kind, id string) []byte {
	return append(append(append([]byte("apikeyrouter/store/object/v1\x00"), kind...), 0), id...)
}

// PutSealed encrypts value under the data key and stores it under (kind,
// id), replacing any previous value; read it back with [Store.ListSealed].
func (s *Store) PutSealed(kind, id string, value []byte) error {
	if err := validKindID(kind, id); err != nil {
		return fmt.Errorf("store: put sealed: %w", err)
	}
	var sealed []byte
	if err := s.withKey(func(_ []byte, aead cipher.AEAD) error {
		sealed = aead.Seal([]byte{sealedV1}, nil, value, objectAAD(kind, id))
		return nil
	}); err != nil {
		return fmt.Errorf("store: put sealed %s/%q: %w", kind, id, err)
	}
	return s.Put(kind, id, sealed)
}

// ListSealed returns every object of kind decrypted, sorted by id. A
// value stored by [Store.Put] before its kind was sealed (a JSON object,
// whose first byte is '{') is returned as it is, with Unsealed set, for
// the caller to store again sealed; anything else that does not
// authenticate is [ErrCorrupt].
func (s *Store) ListSealed(kind string) ([]Record, error) {
	recs, err := s.List(kind)
	if err != nil {
		return nil, err
	}
	err = s.withKey(func(_ []byte, aead cipher.AEAD) error {
		for i := range recs {
			r := &recs[i]
			if len(r.Value) > 0 && r.Value[0] == '{' {
				r.Unsealed = true
				continue
			}
			if len(r.Value) == 0 || r.Value[0] != sealedV1 {
				return fmt.Errorf("%s/%q: %w: unknown object format", kind, r.ID, ErrCorrupt)
			}
			plain, err := aead.Open(nil, nil, r.Value[1:], objectAAD(kind, r.ID))
			if err != nil {
				return fmt.Errorf("%s/%q: %w: object does not authenticate", kind, r.ID, ErrCorrupt)
			}
			r.Value = plain
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list sealed: %w", err)
	}
	return recs, nil
}
