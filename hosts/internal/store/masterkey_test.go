package store

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestLoadOrCreateMasterKeyPrefersEnv(t *testing.T) {
	dir := t.TempDir()
	key, created, err := LoadOrCreateMasterKey(dir, "  from-the-environment\n")
	if err != nil || created || string(key) != "from-the-environment" {
		t.Fatalf("LoadOrCreateMasterKey = %q, %v, %v; want the trimmed env value", key, created, err)
	}
	if _, err := os.Stat(filepath.Join(dir, MasterKeyFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a key file was written although the env value was set (stat: %v)", err)
	}
}

func TestLoadOrCreateMasterKeyGeneratesOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	key, created, err := LoadOrCreateMasterKey(dir, "")
	if err != nil || !created {
		t.Fatalf("first start: created = %v, err = %v; want a new key", created, err)
	}
	raw, err := base64.StdEncoding.DecodeString(string(key))
	if err != nil || len(raw) != 32 {
		t.Fatalf("generated key %d chars, decodes to %d bytes (%v); want base64 of 32 bytes", len(key), len(raw), err)
	}
	for _, tc := range []struct {
		path string
		want fs.FileMode
	}{
		{dir, fs.ModeDir | 0o700},
		{filepath.Join(dir, MasterKeyFile), 0o600},
	} {
		if fi, err := os.Stat(tc.path); err != nil || fi.Mode() != tc.want {
			t.Errorf("%s: %v, %v; want mode %v", tc.path, fi.Mode(), err, tc.want)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".master.key.*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %q", leftovers)
	}

	again, created, err := LoadOrCreateMasterKey(dir, "")
	if err != nil || created || !bytes.Equal(again, key) {
		t.Fatalf("second start: created = %v, err = %v, same key = %v", created, err, bytes.Equal(again, key))
	}
	// The file's content works as the environment value.
	s, err := Open(dir, testOptions(string(key)))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	fromEnv, _, err := LoadOrCreateMasterKey(t.TempDir(), string(key)+"\n")
	if err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, testOptions(string(fromEnv)))
	if err != nil {
		t.Fatalf("Open with the file's content as env value: %v", err)
	}
	s.Close()
}

func TestLoadOrCreateMasterKeyConcurrentStarts(t *testing.T) {
	dir := t.TempDir()
	const starts = 8
	keys := make([][]byte, starts)
	created := make([]bool, starts)
	var wg sync.WaitGroup
	for i := range starts {
		wg.Go(func() {
			var err error
			keys[i], created[i], err = LoadOrCreateMasterKey(dir, "")
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var n int
	for i := range starts {
		if created[i] {
			n++
		}
		if !bytes.Equal(keys[i], keys[0]) {
			t.Fatalf("start %d got another key", i)
		}
	}
	if n != 1 {
		t.Errorf("%d starts report creating the key, want 1", n)
	}
}

func TestLoadOrCreateMasterKeyRefusesToReplaceLostKey(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir) // created with an env key, now unset
	s.Close()
	_, created, err := LoadOrCreateMasterKey(dir, "")
	if !errors.Is(err, ErrNoMasterKey) || created {
		t.Fatalf("LoadOrCreateMasterKey = created %v, %v; want ErrNoMasterKey", created, err)
	}
	if _, err := os.Stat(filepath.Join(dir, MasterKeyFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a key file was written for an existing database (stat: %v)", err)
	}
}

func TestLoadOrCreateMasterKeyEmptyFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, MasterKeyFile), []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateMasterKey(dir, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}
