//go:build unix

package store

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The read-only data directory. Root writes anywhere, so as root the test
// re-runs itself as user nobody; the checks run in checkUnwritable.

const envUnwritableDir = "STORE_TEST_UNWRITABLE_DIR"

func TestOpenUnwritableDir(t *testing.T) {
	base, err := os.MkdirTemp("", "store-unwritable-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(base, 0o700); os.RemoveAll(base) })

	// A store that exists, owned by whoever runs the test, and a directory
	// nobody may write to.
	existing := filepath.Join(base, "existing")
	s, err := Open(existing, testOptions(testMasterKey))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for p, mode := range map[string]fs.FileMode{filepath.Join(existing, FileName): 0o400, existing: 0o555, base: 0o555} {
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}

	if os.Geteuid() != 0 {
		checkUnwritable(t, base)
		return
	}
	// Re-run as nobody, from a copy of the test binary nobody may execute.
	bin := filepath.Join(t.TempDir(), "store.test")
	copyFile(t, mustExecutable(t), bin)
	for _, p := range []string{filepath.Dir(filepath.Dir(bin)), filepath.Dir(bin)} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-test.run=^TestUnwritableHelper$", "-test.v")
	cmd.Env = append(os.Environ(), envUnwritableDir+"="+base)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	t.Logf("helper output:\n%s", out)
	if err != nil || !strings.Contains(string(out), "--- PASS: TestUnwritableHelper") {
		t.Fatalf("unprivileged helper: %v\n%s", err, out)
	}
}

// TestUnwritableHelper runs checkUnwritable in the process that
// TestOpenUnwritableDir starts as nobody.
func TestUnwritableHelper(t *testing.T) {
	base := os.Getenv(envUnwritableDir)
	if base == "" {
		t.Skip("helper process for TestOpenUnwritableDir")
	}
	checkUnwritable(t, base)
}

// checkUnwritable expects base and base/existing to be read-only for the
// current user.
func checkUnwritable(t *testing.T, base string) {
	for _, tc := range []struct {
		name string
		dir  string
	}{
		{"new subdirectory", filepath.Join(base, "new")},
		{"read-only directory", base},
		{"existing store", filepath.Join(base, "existing")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(tc.dir, testOptions(testMasterKey))
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, ErrUnwritable) {
				t.Fatalf("Open: err = %v, want ErrUnwritable", err)
			}
			t.Logf("Open: %v", err)
		})
	}
	t.Run("master key", func(t *testing.T) {
		_, _, err := LoadOrCreateMasterKey(filepath.Join(base, "new"), "")
		if !errors.Is(err, ErrUnwritable) {
			t.Fatalf("LoadOrCreateMasterKey: err = %v, want ErrUnwritable", err)
		}
	})
}
