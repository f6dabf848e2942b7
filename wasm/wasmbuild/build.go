// Package wasmbuild builds the core's WebAssembly module as it ships: stock
// Go (GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath), then
// [optimize.ThreadJumps] over the result. `make wasm` runs it (through
// cmd/buildcore), and so do the tests and benchmarks, so that they check
// and measure the module that ships.
package wasmbuild

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/wasm/optimize"
)

// Package is the import path of the core's WebAssembly glue.
const Package = "github.com/apikeyrouter/apikeyrouter/wasm"

// Build compiles the core module into dir/name, with the given build tags,
// threads its jumps, and returns its path and how many jumps it threaded.
// It must run inside this repository's module.
func Build(dir, name string, tags ...string) (string, int, error) {
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
		return "", 0, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	module, err := os.ReadFile(out)
	if err != nil {
		return "", 0, err
	}
	module, threaded, err := optimize.ThreadJumps(module)
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", out, err)
	}
	if err := os.WriteFile(out, module, 0o644); err != nil {
		return "", 0, err
	}
	return out, threaded, nil
}
