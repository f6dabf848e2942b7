package store

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestSecretRoundTrip(t *testing.T) {
	s := openTest(t, t.TempDir())
	for _, tc := range []struct {
		id     string
		secret []byte
	}{
		{"openai-1", []byte("sk-proj-abc123")},
		{"binary", []byte{0, 1, 2, 0xff, 0}},
		{"empty", []byte{}},
		{"long", bytes.Repeat([]byte("k"), 64<<10)},
		{strings.Repeat("i", maxIDLen), []byte("longest id")},
	} {
		if err := s.PutSecret(tc.id, tc.secret); err != nil {
			t.Fatalf("PutSecret(%.20q): %v", tc.id, err)
		}
		got, err := s.Secret(tc.id)
		if err != nil {
			t.Fatalf("Secret(%.20q): %v", tc.id, err)
		}
		if !bytes.Equal(got, tc.secret) {
			t.Errorf("Secret(%.20q) = %.20q, want %.20q", tc.id, got, tc.secret)
		}
	}
}

func TestSecretLifecycle(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	for _, id := range []string{"b", "a", "c"} {
		if err := s.PutSecret(id, []byte("v1-"+id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutSecret("a", []byte("v2-a")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSecret("b"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSecret("never-stored"); err != nil {
		t.Errorf("DeleteSecret(missing) = %v, want nil", err)
	}
	if _, err := s.Secret("b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Secret(deleted) err = %v, want ErrNotFound", err)
	}
	for _, id := range []string{"", strings.Repeat("x", maxIDLen+1)} {
		if err := s.PutSecret(id, []byte("v")); !errors.Is(err, ErrInvalid) {
			t.Errorf("PutSecret(id of %d bytes) err = %v, want ErrInvalid", len(id), err)
		}
	}

	s.Close()
	s = openTest(t, dir)
	ids, err := s.SecretIDs()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "c"}; !slices.Equal(ids, want) {
		t.Errorf("SecretIDs = %q, want %q", ids, want)
	}
	if got, err := s.Secret("a"); err != nil || string(got) != "v2-a" {
		t.Errorf("Secret(a) after reopen = %q, %v; want v2-a", got, err)
	}
}

// TestSecretsNeverOnDiskInClear stores known secrets and scans every file
// the store leaves in its directory for them, in the encodings a leak would
// take, and for the data key and the master key.
func TestSecretsNeverOnDiskInClear(t *testing.T) {
	dir := t.TempDir()
	masterKey := "scan-test-master-key-0123456789abcdef"
	s, err := Open(dir, testOptions(masterKey))
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string][]byte{
		"openai-1":    []byte("sk-proj-SCANME-4f1c9e2b7a6d3e8f0a5b"),
		"anthropic-1": []byte("sk-ant-api03-SCANME-c0ffee0ddba11deadbeef"),
		"short":       []byte("hunter2!"),
	}
	for id, secret := range secrets {
		if err := s.PutSecret(id, secret); err != nil {
			t.Fatal(err)
		}
	}
	// Overwrite and delete too: old pages must not keep a clear copy.
	if err := s.PutSecret("openai-1", secrets["openai-1"]); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSecret("deleted", secrets["short"]); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSecret("deleted"); err != nil {
		t.Fatal(err)
	}
	dek := bytes.Clone(s.dek)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	forbidden := map[string][]byte{
		"data key":   dek,
		"master key": []byte(masterKey),
	}
	for id, secret := range secrets {
		forbidden[id] = secret
	}
	var files int
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for name, plain := range forbidden {
			for _, enc := range encodings(plain) {
				if bytes.Contains(raw, enc.form) {
					t.Errorf("%s holds the %s %s", filepath.Base(path), name, enc.name)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("scanned no file")
	}
}

type encoding struct {
	name string
	form []byte
}

// encodings returns plain in the forms a leak would take.
func encodings(plain []byte) []encoding {
	return []encoding{
		{"in clear", plain},
		{"in base64", []byte(base64.StdEncoding.EncodeToString(plain))},
		{"in unpadded base64", []byte(base64.RawStdEncoding.EncodeToString(plain))},
		{"in URL base64", []byte(base64.RawURLEncoding.EncodeToString(plain))},
		{"in hex", []byte(hex.EncodeToString(plain))},
		{"in upper-case hex", []byte(strings.ToUpper(hex.EncodeToString(plain)))},
	}
}

// rawSecrets returns the sealed records as stored.
func rawSecrets(t *testing.T, s *Store) map[string][]byte {
	t.Helper()
	raw := map[string][]byte{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSecrets).ForEach(func(k, v []byte) error {
			raw[string(k)] = bytes.Clone(v)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func putRaw(t *testing.T, s *Store, id string, sealed []byte) {
	t.Helper()
	err := s.update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSecrets).Put([]byte(id), sealed) })
	if err != nil {
		t.Fatal(err)
	}
}

func TestSecretCiphertextIsBoundToItsID(t *testing.T) {
	s := openTest(t, t.TempDir())
	if err := s.PutSecret("a", []byte("secret of a")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSecret("b", []byte("secret of b")); err != nil {
		t.Fatal(err)
	}
	raw := rawSecrets(t, s)
	putRaw(t, s, "b", raw["a"])
	if got, err := s.Secret("b"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Secret(b) holding a's ciphertext = %q, %v; want ErrCorrupt", got, err)
	}
}

func TestSecretTamperedIsCorrupt(t *testing.T) {
	s := openTest(t, t.TempDir())
	if err := s.PutSecret("a", []byte("secret of a")); err != nil {
		t.Fatal(err)
	}
	sealed := rawSecrets(t, s)["a"]
	for _, tc := range []struct {
		name   string
		sealed []byte
	}{
		{"flipped last bit", append(bytes.Clone(sealed[:len(sealed)-1]), sealed[len(sealed)-1]^1)},
		{"flipped nonce bit", append([]byte{sealed[0], sealed[1] ^ 0x80}, sealed[2:]...)},
		{"unknown format", append([]byte{2}, sealed[1:]...)},
		{"truncated", sealed[:10]},
		{"empty", []byte{}},
	} {
		putRaw(t, s, "a", tc.sealed)
		if got, err := s.Secret("a"); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Secret = %q, %v; want ErrCorrupt", tc.name, got, err)
		}
	}
}

func TestWrongMasterKey(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.PutSecret("a", []byte("v")); err != nil {
		t.Fatal(err)
	}
	s.Close()

	const wrong = "the-wrong-master-key"
	_, err := Open(dir, testOptions(wrong))
	if !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("Open with another key: err = %v, want ErrWrongMasterKey", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), testMasterKey) {
		t.Errorf("error %q shows a master key", err)
	}
	// The failed Open released the lock, and the right key still works.
	s = openTest(t, dir)
	if got, err := s.Secret("a"); err != nil || string(got) != "v" {
		t.Fatalf("Secret after a wrong-key Open = %q, %v", got, err)
	}
}

func TestRotateMasterKey(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	for _, id := range []string{"a", "b"} {
		if err := s.PutSecret(id, []byte("secret "+id)); err != nil {
			t.Fatal(err)
		}
	}
	before, recBefore := rawSecrets(t, s), keyRecordOf(t, s)
	if recBefore.KDF != "argon2id" || recBefore.Params != testKDF {
		t.Errorf("key record KDF = %s %+v, want argon2id %+v", recBefore.KDF, recBefore.Params, testKDF)
	}
	if err := s.RotateMasterKey(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("RotateMasterKey(empty) err = %v, want ErrInvalid", err)
	}
	const newKey = "the new master key"
	if err := s.RotateMasterKey([]byte(newKey)); err != nil {
		t.Fatal(err)
	}
	// The open store keeps working with its data key.
	if got, err := s.Secret("a"); err != nil || string(got) != "secret a" {
		t.Fatalf("Secret after rotation = %q, %v", got, err)
	}
	after, recAfter := rawSecrets(t, s), keyRecordOf(t, s)
	s.Close()

	if !maps.EqualFunc(before, after, bytes.Equal) {
		t.Error("rotation re-encrypted secrets; it should only rewrap the data key")
	}
	if bytes.Equal(recBefore.Salt, recAfter.Salt) || bytes.Equal(recBefore.Wrapped, recAfter.Wrapped) {
		t.Error("rotation kept the salt or the wrapped key")
	}

	if _, err := Open(dir, testOptions(testMasterKey)); !errors.Is(err, ErrWrongMasterKey) {
		t.Fatalf("Open with the old key after rotation: err = %v, want ErrWrongMasterKey", err)
	}
	s, err := Open(dir, testOptions(newKey))
	if err != nil {
		t.Fatalf("Open with the new key: %v", err)
	}
	defer s.Close()
	for _, id := range []string{"a", "b"} {
		if got, err := s.Secret(id); err != nil || string(got) != "secret "+id {
			t.Errorf("Secret(%s) under the new key = %q, %v", id, got, err)
		}
	}
}

func keyRecordOf(t *testing.T, s *Store) keyRecord {
	t.Helper()
	var rec keyRecord
	err := s.view(func(tx *bolt.Tx) error {
		return json.Unmarshal(tx.Bucket(bucketMeta).Get(keyKeyring), &rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}
