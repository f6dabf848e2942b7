package openai_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// TestPluginEnvironment checks the plugin subprocess does not inherit the
// host's environment, where provider keys live, but gets what it is given.
func TestPluginEnvironment(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	t.Setenv("OPENAI_API_KEY_1", "sk-host-secret-in-env")
	t.Setenv("LOG_LEVEL", "debug")
	c, err := sdk.NewClient(sdk.ClientConfig{Path: pluginPath, Env: []string{"EXTRA=1"}, Logger: hclog.NewNullLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Kill()
	env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(c.Pid()), "environ"))
	if err != nil {
		t.Fatal(err)
	}
	vars := bytes.Split(env, []byte{0})
	has := func(v string) bool {
		for _, kv := range vars {
			if bytes.Equal(kv, []byte(v)) {
				return true
			}
		}
		return false
	}
	if bytes.Contains(env, []byte("sk-host-secret-in-env")) {
		t.Error("the plugin inherited the host's OPENAI_API_KEY_1")
	}
	if !has("LOG_LEVEL=debug") || !has("EXTRA=1") {
		t.Errorf("the plugin's environment lacks LOG_LEVEL or EXTRA: %q", vars)
	}
}

func TestNewClientFails(t *testing.T) {
	for _, path := range []string{"", filepath.Join(t.TempDir(), "missing"), "/bin/true"} {
		c, err := sdk.NewClient(sdk.ClientConfig{Path: path, Logger: hclog.NewNullLogger()})
		if err == nil {
			c.Kill()
			t.Errorf("NewClient(%q) succeeded", path)
		}
	}
}
