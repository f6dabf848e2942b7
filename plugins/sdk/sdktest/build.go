package sdktest

import (
	"bytes"
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
)

// BuildPlugin builds the plugin's main package pkg (an import path or a
// ./relative directory) into dir and returns the executable's path. Call
// it from TestMain with a temporary dir, so `go test` needs nothing built
// beforehand:
//
//	func TestMain(m *testing.M) {
//		dir, _ := os.MkdirTemp("", "plugin")
//		pluginPath, err = sdktest.BuildPlugin("./cmd/my-adapter", dir)
//		code := m.Run()
//		os.RemoveAll(dir)
//		os.Exit(code)
//	}
//
// Under `go test -race` the plugin is built with -race too: its process is
// checked for races as well, and the packages it shares with the test
// compile only once.
func BuildPlugin(pkg, dir string) (string, error) {
	out := filepath.Join(dir, path.Base(pkg))
	args := []string{"build", "-o", out}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, pkg)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("sdktest: go build %s: %w\n%s", pkg, err, stderr.Bytes())
	}
	return out, nil
}
