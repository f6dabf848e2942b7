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
// threads its jumps, and returns its path and what the threading did. It
// must run inside this repository's module.
func Build(dir, name string, tags ...string) (string, optimize.Stats, error) {
	// go build writes into a directory of its own: it would leave a
	// module it finds up to date (same build id) as it is, threaded or not
	raw, err := os.MkdirTemp(dir, ".wasmbuild-")
	if err != nil {
		return "", optimize.Stats{}, err
	}
	defer os.RemoveAll(raw)
	args := []string{"build", "-buildmode=c-shared", "-trimpath", "-o", filepath.Join(raw, "core.wasm")}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.Command("go", append(args, Package)...)
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", optimize.Stats{}, fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	module, err := os.ReadFile(filepath.Join(raw, "core.wasm"))
	if err != nil {
		return "", optimize.Stats{}, err
	}
	module, stats, err := optimize.ThreadJumps(module)
	if err != nil {
		return "", optimize.Stats{}, fmt.Errorf("%s: %w", Package, err)
	}
	out := filepath.Join(dir, name)
	if err := os.WriteFile(out, module, 0o644); err != nil {
		return "", optimize.Stats{}, err
	}
	return out, stats, nil
}
