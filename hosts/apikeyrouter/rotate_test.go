package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/store"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// keyFileDataDir makes a data dir with a generated master.key and a store
// holding one secret, and returns the key.
func keyFileDataDir(t *testing.T, dir string) []byte {
	t.Helper()
	key, _, err := router.LoadOrCreateMasterKey(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(dir, store.Options{MasterKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutSecret("openai-1", []byte("sk-rotated-with-the-store")); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return key
}

// wantKeyInForce checks that the next start loads want from dir, that
// master.key holds it and nothing else is left, and that it opens the
// store and its secret.
func wantKeyInForce(t *testing.T, dir string, want []byte) {
	t.Helper()
	key, _, err := router.LoadOrCreateMasterKey(dir, "")
	if err != nil || !bytes.Equal(key, want) {
		t.Fatalf("the next start loads %q, %v; want %q", key, err, want)
	}
	if b, err := os.ReadFile(filepath.Join(dir, store.MasterKeyFile)); err != nil || !bytes.Equal(bytes.TrimSpace(b), want) {
		t.Errorf("master.key holds %q, %v; want %q", b, err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, store.NewMasterKeyFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("master.key.new left behind (stat: %v)", err)
	}
	st, err := store.Open(dir, store.Options{MasterKey: key})
	if err != nil {
		t.Fatalf("Open with the key in force: %v", err)
	}
	defer st.Close()
	if v, err := st.Secret("openai-1"); err != nil || string(v) != "sk-rotated-with-the-store" {
		t.Fatalf("Secret = %q, %v", v, err)
	}
}

// TestRotateKeyFile: rotate-master-key with the key in master.key leaves
// the new key there. Killed after the rotation committed but before the
// new key was moved over master.key (all of rotateStaged done), the next
// start still finds the key in force: it is on disk, in master.key.new.
// With the wrong old key, nothing changes.
func TestRotateKeyFile(t *testing.T) {
	next := []byte("the new master key")
	t.Run("whole", func(t *testing.T) {
		dir := t.TempDir()
		old := keyFileDataDir(t, dir)
		if err := rotateKeyFile(dir, old, next); err != nil {
			t.Fatal(err)
		}
		wantKeyInForce(t, dir, next)
	})
	t.Run("killed before the move", func(t *testing.T) {
		dir := t.TempDir()
		old := keyFileDataDir(t, dir)
		if err := rotateStaged(dir, old, next); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Open(dir, store.Options{MasterKey: old}); !errors.Is(err, store.ErrWrongMasterKey) {
			t.Fatalf("the old key still opens the store (%v): the rotation did not commit", err)
		}
		wantKeyInForce(t, dir, next)
	})
	t.Run("wrong old key", func(t *testing.T) {
		dir := t.TempDir()
		old := keyFileDataDir(t, dir)
		if err := rotateKeyFile(dir, []byte("not the key"), next); !errors.Is(err, store.ErrWrongMasterKey) {
			t.Fatalf("rotateKeyFile: %v, want ErrWrongMasterKey", err)
		}
		wantKeyInForce(t, dir, old)
	})
}
