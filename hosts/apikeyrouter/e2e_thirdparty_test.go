package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
)

// TestThirdPartyAdapter builds the example adapter in plugins/sdk/example/echo
// — a Go module of its own that only imports the SDK, as a third party's
// would — puts it in a plugin directory, names its adapter in the config
// file, and has the real proxy answer a request through it: an adapter
// ships without a change to this repository.
func TestThirdPartyAdapter(t *testing.T) {
	pluginDir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(pluginDir, "apikeyrouter-echo"), "./cmd/apikeyrouter-echo")
	build.Dir = filepath.Join("..", "..", "plugins", "sdk", "example", "echo")
	build.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build in %s: %v\n%s", build.Dir, err, out)
	}

	dir := t.TempDir()
	cfg := `
providers:
  echo: {adapter: echo, discover: false, models: [echo-1]}
keys:
  - {id: echo-1, provider: echo, secret: "sk-echo-secret-4242"}
`
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, "APIKEYROUTER_CONFIG="+path, "APIKEYROUTER_DATA_DIR="+filepath.Join(dir, "data"),
		"PROXY_API_KEY="+proxyKey, "APIKEYROUTER_ADMIN_TOKEN="+adminToken, "APIKEYROUTER_PLUGIN_DIR="+pluginDir)
	if kids := children(t, p.cmd.Process.Pid); len(kids) != 1 {
		t.Fatalf("want the echo plugin as one subprocess, have %v", kids)
	}

	c := client(p)
	out, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: "echo-1", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello, third party")}})
	if err != nil {
		t.Fatalf("%v\n%s", err, p.logs)
	}
	if got := out.Choices[0].Message.Content; got != "echo: hello, third party" {
		t.Errorf("answer %q, want the echo", got)
	}
	if !strings.Contains(p.logs.String(), `"adapter":"echo"`) {
		t.Errorf("the log does not mention the echo adapter:\n%s", p.logs)
	}
	if strings.Contains(p.logs.String(), "sk-echo-secret-4242") {
		t.Error("the log contains the echo key's secret")
	}
}
