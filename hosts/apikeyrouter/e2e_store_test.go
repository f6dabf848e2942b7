package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadOnlyDataDirRefusesToStart: a data directory the proxy cannot
// write stops it at once with a message that names APIKEYROUTER_DATA_DIR,
// whether the master key would go into it or comes from the environment.
// (As root, the proxy runs as nobody: root writes through any mode.)
func TestReadOnlyDataDirRefusesToStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  []string
	}{
		{"master key generated into the data dir", nil},
		{"master key from the environment", []string{"APIKEYROUTER_ENCRYPTION_KEY=e2e-master-key-0123456789"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, err := os.MkdirTemp("", "apikeyrouter-ro-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			data := filepath.Join(dir, "data")
			if err := os.Chmod(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(data, 0o555); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(bins, "apikeyrouter"), "serve")
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "PROXY_PORT=1", "APIKEYROUTER_DATA_DIR=" + data,
				"PROXY_API_KEY=" + proxyKey, "APIKEYROUTER_ADMIN_TOKEN=" + adminToken}, tc.env...)
			if os.Geteuid() == 0 {
				if err := os.Chmod(bins, 0o755); err != nil { // let nobody run the binaries
					t.Fatal(err)
				}
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			}
			out, err := cmd.CombinedOutput()
			if ctx.Err() != nil {
				t.Fatalf("the proxy did not stop on a read-only data dir:\n%s", out)
			}
			if err == nil || !strings.Contains(string(out), "APIKEYROUTER_DATA_DIR "+data+" is not writable") {
				t.Fatalf("exit %v, output:\n%s", err, out)
			}
			t.Logf("figures: %s", strings.TrimSpace(string(out)))
		})
	}
}
