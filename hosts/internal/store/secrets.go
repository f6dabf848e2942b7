package store

import (
	"crypto/cipher"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// sealedV1 is the first byte of a stored secret: the record format, so a
// later format can be told apart.
const sealedV1 = 1

// maxIDLen bounds secret and object ids.
const maxIDLen = 512

// secretAAD returns the additional data a secret is sealed with: the format
// and the id, so a ciphertext copied to another id fails to open.
func secretAAD(id string) []byte {
	return append([]byte("apikeyrouter/store/secret/v1\x00"), id...)
}

// PutSecret encrypts secret under the store's data key and stores it under
// id, replacing any previous value. Each call uses a fresh random nonce. The
// store does not retain secret; the caller may zero it on return.
func (s *Store) PutSecret(id string, secret []byte) error {
	if err := validID(id); err != nil {
		return fmt.Errorf("store: put secret: %w", err)
	}
	err := s.withKey(func(_ []byte, aead cipher.AEAD) error {
		sealed := aead.Seal([]byte{sealedV1}, nil, secret, secretAAD(id))
		return s.update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketSecrets).Put([]byte(id), sealed)
		})
	})
	if err != nil {
		return fmt.Errorf("store: put secret %q: %w", id, err)
	}
	return nil
}

// Secret decrypts and returns the secret stored under id: [ErrNotFound] if
// there is none, [ErrCorrupt] if the ciphertext does not authenticate as
// id's. The caller owns the returned slice and should zero it when done.
func (s *Store) Secret(id string) ([]byte, error) {
	if err := validID(id); err != nil {
		return nil, fmt.Errorf("store: secret: %w", err)
	}
	var plain []byte
	err := s.withKey(func(_ []byte, aead cipher.AEAD) error {
		return s.view(func(tx *bolt.Tx) error {
			sealed := tx.Bucket(bucketSecrets).Get([]byte(id))
			if sealed == nil {
				return ErrNotFound
			}
			if len(sealed) == 0 || sealed[0] != sealedV1 {
				return fmt.Errorf("%w: unknown secret format", ErrCorrupt)
			}
			var err error
			plain, err = aead.Open(nil, nil, sealed[1:], secretAAD(id))
			if err != nil {
				return fmt.Errorf("%w: secret does not authenticate", ErrCorrupt)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: secret %q: %w", id, err)
	}
	return plain, nil
}

// DeleteSecret removes the secret stored under id. Deleting a missing
// secret is not an error. bbolt may keep the freed page's old bytes in the
// file until the page is reused, but they are ciphertext.
func (s *Store) DeleteSecret(id string) error {
	if err := validID(id); err != nil {
		return fmt.Errorf("store: delete secret: %w", err)
	}
	err := s.update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSecrets).Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("store: delete secret %q: %w", id, err)
	}
	return nil
}

// SecretIDs returns the ids of all stored secrets in ascending byte order.
func (s *Store) SecretIDs() ([]string, error) {
	var ids []string
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSecrets).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: secret ids: %w", err)
	}
	return ids, nil
}

// validID accepts ids of 1 to maxIDLen bytes.
func validID(id string) error {
	if len(id) == 0 || len(id) > maxIDLen {
		return fmt.Errorf("%w: id must be 1 to %d bytes, got %d", ErrInvalid, maxIDLen, len(id))
	}
	return nil
}
