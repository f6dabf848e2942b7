package wasmtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Package is the import path of the core's WebAssembly glue.
const Package = "github.com/apikeyrouter/apikeyrouter/wasm"

// Build compiles the core module as `make wasm` does (GOOS=wasip1
// GOARCH=wasm go build -buildmode=c-shared -trimpath) into dir/name, with
// the given build tags, and returns its path. It must run inside this
// repository's module.
func Build(dir, name string, tags ...string) (string, error) {
	out := filepath.Join(dir, name)
	args := []string{"build", "-buildmode=c-shared", "-trimpath", "-o", out}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.Command("go", append(args, Package)...)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out, nil
}
