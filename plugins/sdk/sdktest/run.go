package sdktest

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// Config says which adapter to check, and against what.
type Config struct {
	// New returns a fresh adapter logging to logger. Required.
	New func(logger hclog.Logger) sdk.Adapter
	// Cassettes is the directory of *.json [Cassette] files. Required.
	Cassettes string
	// Plugin is the adapter's plugin executable (see [BuildPlugin]). When
	// set, the cassettes run against it as a real subprocess too, and the
	// kit kills it mid-stream to check that the call fails promptly and
	// the plugin restarts. Empty skips those checks.
	Plugin string
}

// Run checks the adapter against every cassette, in-process and over the
// plugin boundary (plugin.TestPluginGRPCConn, and a real subprocess if
// [Config.Plugin] is set), expecting the same results everywhere. With
// the first plain streamed cassette it also checks that cancelling the
// context or closing the body stops a stream promptly and aborts the
// provider call. In every mode the secret must appear in nothing the host
// receives, logs included.
func Run(t *testing.T, cfg Config) {
	t.Helper()
	cassettes, err := loadCassettes(cfg.Cassettes)
	if err != nil {
		t.Fatal(err)
	}
	var stream *Cassette
	for i := range cassettes {
		if cassettes[i].isStream() {
			stream = &cassettes[i]
			break
		}
	}
	ref, err := cfg.New(hclog.NewNullLogger()).Info(t.Context())
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			if m.needsPlugin && cfg.Plugin == "" {
				t.Skip("no Config.Plugin")
			}
			logs := new(syncBuffer)
			logger := hclog.New(&hclog.LoggerOptions{Name: "sdktest", Output: logs, Level: hclog.Trace})
			t.Cleanup(func() { // registered first, so it runs after the adapter stopped
				if strings.Contains(logs.String(), Secret) {
					t.Errorf("the secret appears in the logs:\n%s", logs)
				}
			})
			a := m.start(t, cfg, logger)
			t.Run("info", func(t *testing.T) { checkInfo(t, a, ref) })
			for i := range cassettes {
				t.Run(cassettes[i].Name, func(t *testing.T) { runCassette(t, a, &cassettes[i]) })
			}
			if stream == nil {
				t.Log("no plain streamed cassette: cancellation checks skipped")
				return
			}
			t.Run("cancel", func(t *testing.T) { checkAbandon(t, a, stream, abandonCancel) })
			t.Run("close", func(t *testing.T) { checkAbandon(t, a, stream, abandonClose) })
			if m.needsPlugin {
				t.Run("plugin_death", func(t *testing.T) { checkPluginDeath(t, cfg, stream, logger) })
			}
		})
	}
}

// mode is one way of running the adapter.
type mode struct {
	name        string
	needsPlugin bool
	start       func(t *testing.T, cfg Config, logger hclog.Logger) sdk.Adapter
}

var modes = []mode{
	{name: "in-process", start: startInProcess},
	{name: "grpc", start: startGRPC},
	{name: "subprocess", needsPlugin: true, start: startSubprocess},
}

func startInProcess(_ *testing.T, cfg Config, logger hclog.Logger) sdk.Adapter {
	return cfg.New(logger)
}

// startGRPC serves the adapter over gRPC on a local socket, as go-plugin
// does, without a subprocess.
func startGRPC(t *testing.T, cfg Config, logger hclog.Logger) sdk.Adapter {
	client, _ := plugin.TestPluginGRPCConn(t, false, sdk.PluginMap(cfg.New(logger)))
	// Close asks the server to stop (go-plugin's controller); stopping it
	// here as well would race with that.
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(sdk.PluginName)
	if err != nil {
		t.Fatalf("dispense: %v", err)
	}
	return raw.(sdk.Adapter)
}

// startSubprocess starts the plugin executable, logging at trace level so
// the secret check sees everything it logs.
func startSubprocess(t *testing.T, cfg Config, logger hclog.Logger) sdk.Adapter {
	c, err := sdk.NewClient(sdk.ClientConfig{Path: cfg.Plugin, Env: []string{"LOG_LEVEL=trace"}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Kill)
	return c.Adapter()
}

// checkInfo checks the adapter describes itself, identically in every mode.
func checkInfo(t *testing.T, a sdk.Adapter, ref sdk.Info) {
	info, err := a.Info(t.Context())
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if info.Name == "" || len(info.Formats) == 0 || len(info.Endpoints) == 0 {
		t.Errorf("Info = %+v: Name, Formats and Endpoints must be set", info)
	}
	if !reflect.DeepEqual(info, ref) {
		t.Errorf("Info = %+v, in-process %+v", info, ref)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Interface guards
var _ io.Writer = (*syncBuffer)(nil)
