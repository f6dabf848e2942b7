package store

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keyFileStore makes a data dir as the proxy leaves it with no key in
// the environment: a generated master.key and a store under it holding
// one secret. It returns the key.
func keyFileStore(t *testing.T, dir string) []byte {
	t.Helper()
	key, created, err := LoadOrCreateMasterKey(dir, "")
	if err != nil || !created {
		t.Fatalf("LoadOrCreateMasterKey: created %v, %v", created, err)
	}
	s, err := Open(dir, testOptions(string(key)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutSecret("openai-1", []byte("sk-kept-across-rotations")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return key
}

// rotateT rotates the store in dir from old to next.
func rotateT(t *testing.T, dir string, old, next []byte) {
	t.Helper()
	s, err := Open(dir, testOptions(string(old)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RotateMasterKey(next); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// captureLog sends slog's default logger to a buffer for the test.
func captureLog(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return &buf
}

// TestLoadOrCreateMasterKeyFinishesInterruptedRotation: rotate-master-key
// with the key in master.key writes the new key to master.key.new before
// it rotates, and moves it over master.key after. Killed between two
// steps, it leaves master.key.new beside master.key; the next start
// returns whichever opens the store, finishes or discards the move, and
// logs it. The secret is readable either way.
func TestLoadOrCreateMasterKeyFinishesInterruptedRotation(t *testing.T) {
	next := []byte("the new master key")
	for _, tc := range []struct {
		name    string
		rotated bool // the rotation committed before the kill
		logged  string
	}{
		{"killed before the rotation committed", false, "interrupted before it took effect"},
		{"killed after the rotation, before the move", true, "finished an interrupted master key rotation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			old := keyFileStore(t, dir)
			if err := os.WriteFile(filepath.Join(dir, NewMasterKeyFile), append(next, '\n'), 0o600); err != nil {
				t.Fatal(err)
			}
			want := old
			if tc.rotated {
				rotateT(t, dir, old, next)
				want = next
			}
			logs := captureLog(t)

			key, created, err := LoadOrCreateMasterKey(dir, "")
			if err != nil || created || !bytes.Equal(key, want) {
				t.Fatalf("LoadOrCreateMasterKey = %q, created %v, %v; want %q", key, created, err, want)
			}
			if onDisk, err := readMasterKey(filepath.Join(dir, MasterKeyFile)); err != nil || !bytes.Equal(onDisk, want) {
				t.Errorf("%s holds %q (%v), want %q", MasterKeyFile, onDisk, err, want)
			}
			if _, err := os.Stat(filepath.Join(dir, NewMasterKeyFile)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s is still there (stat: %v)", NewMasterKeyFile, err)
			}
			if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), tc.logged) {
				t.Errorf("logged %q, want a warning that %s", logs, tc.logged)
			}
			s, err := Open(dir, testOptions(string(key)))
			if err != nil {
				t.Fatalf("Open with the key in force: %v", err)
			}
			defer s.Close()
			if v, err := s.Secret("openai-1"); err != nil || string(v) != "sk-kept-across-rotations" {
				t.Fatalf("Secret = %q, %v", v, err)
			}

			// The next start finds nothing to finish.
			if again, _, err := LoadOrCreateMasterKey(dir, ""); err != nil || !bytes.Equal(again, want) {
				t.Fatalf("second start: %q, %v", again, err)
			}
		})
	}
}

// TestLoadOrCreateMasterKeyNeitherKeyOpens: when neither master.key nor
// master.key.new opens the store, the start fails naming both, and
// neither file is touched.
func TestLoadOrCreateMasterKeyNeitherKeyOpens(t *testing.T) {
	dir := t.TempDir()
	old := keyFileStore(t, dir)
	rotateT(t, dir, old, []byte("a third key, on no disk"))
	staged := filepath.Join(dir, NewMasterKeyFile)
	if err := os.WriteFile(staged, []byte("the staged key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadOrCreateMasterKey(dir, "")
	if !errors.Is(err, ErrWrongMasterKey) || !strings.Contains(err.Error(), staged) {
		t.Fatalf("err = %v, want ErrWrongMasterKey naming %s", err, staged)
	}
	if onDisk, _ := readMasterKey(filepath.Join(dir, MasterKeyFile)); !bytes.Equal(onDisk, old) {
		t.Errorf("%s was changed", MasterKeyFile)
	}
	if !fileExists(staged) {
		t.Errorf("%s was removed", staged)
	}
}

// TestStageAndPromoteMasterKey: the staged key is a whole private file
// that LoadOrCreateMasterKey reads as master.key once promoted.
func TestStageAndPromoteMasterKey(t *testing.T) {
	dir := t.TempDir()
	keyFileStore(t, dir)
	next := []byte("staged key")
	if err := StageMasterKey(dir, next); err != nil {
		t.Fatal(err)
	}
	staged := filepath.Join(dir, NewMasterKeyFile)
	if fi, err := os.Stat(staged); err != nil || fi.Mode() != 0o600 {
		t.Fatalf("%s: %v, %v; want mode 0600", staged, fi.Mode(), err)
	}
	if got, err := readMasterKey(staged); err != nil || !bytes.Equal(got, next) {
		t.Fatalf("%s holds %q, %v", staged, got, err)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".master.key*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %q", leftovers)
	}
	if err := PromoteMasterKey(dir); err != nil {
		t.Fatal(err)
	}
	if got, err := readMasterKey(filepath.Join(dir, MasterKeyFile)); err != nil || !bytes.Equal(got, next) {
		t.Fatalf("%s holds %q, %v after the move", MasterKeyFile, got, err)
	}
	if fileExists(staged) {
		t.Errorf("%s is still there after the move", staged)
	}
}

// TestWrongMasterKeyNamesTheRotatedKey: a store that refuses a key says
// which one it wants: after a rotation, the one given as
// APIKEYROUTER_NEW_ENCRYPTION_KEY, and the file an interrupted rotation
// left it in, if any.
func TestWrongMasterKeyNamesTheRotatedKey(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	s.Close()
	_, err := Open(dir, testOptions("not the key"))
	if !errors.Is(err, ErrWrongMasterKey) || !strings.Contains(err.Error(), "APIKEYROUTER_NEW_ENCRYPTION_KEY") ||
		strings.Contains(err.Error(), NewMasterKeyFile) {
		t.Fatalf("err = %v, want ErrWrongMasterKey naming APIKEYROUTER_NEW_ENCRYPTION_KEY", err)
	}
	if err := StageMasterKey(dir, []byte("staged")); err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, testOptions("not the key"))
	if !errors.Is(err, ErrWrongMasterKey) || !strings.Contains(err.Error(), filepath.Join(dir, NewMasterKeyFile)) {
		t.Fatalf("err = %v, want ErrWrongMasterKey naming %s", err, NewMasterKeyFile)
	}
	t.Logf("Open: %v", err)
}
