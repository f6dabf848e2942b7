package config

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// Config is everything the proxy is started with: the environment
// (DESIGN.md §6, in LLM-API-Key-Proxy's style) and the optional YAML file
// APIKEYROUTER_CONFIG, the environment winning where both say something.
type Config struct {
	// Host and Port to listen on (PROXY_HOST, default 127.0.0.1;
	// PROXY_PORT, default 8000).
	Host string
	Port int
	// ProxyKey is the clients' bearer token (PROXY_API_KEY); empty means
	// the one generated on first start.
	ProxyKey string
	// AdminToken opens the admin API (APIKEYROUTER_ADMIN_TOKEN); empty
	// means the one generated on first start.
	AdminToken string
	// EncryptionKey is the master key of stored secrets
	// (APIKEYROUTER_ENCRYPTION_KEY); empty means DataDir/master.key.
	EncryptionKey string
	// DataDir holds the store (APIKEYROUTER_DATA_DIR, default ./data).
	DataDir string
	// LogLevel is LOG_LEVEL (debug, info, warn, error; default info).
	LogLevel slog.Level
	// Core is "wasm" (default: the core under wazero) or "native"
	// (APIKEYROUTER_CORE).
	Core string
	// CoreWasm is the core module (APIKEYROUTER_CORE_WASM; default
	// apikeyrouter-core.wasm next to the binary).
	CoreWasm string
	// PluginDir holds the adapter plugins apikeyrouter-<adapter>
	// (APIKEYROUTER_PLUGIN_DIR; default the binary's directory).
	PluginDir string
	// Adapters is "auto" (default: wire-compatible adapters run in-process,
	// others as plugins), "plugin" (every adapter a subprocess) or
	// "inprocess" (APIKEYROUTER_ADAPTERS).
	Adapters string
	// Sync is the journal's durability: "none" (default: survives a
	// crash of the process) or "always" (survives a power loss)
	// (APIKEYROUTER_SYNC).
	Sync string

	MaxBodyBytes   int64         // APIKEYROUTER_MAX_BODY_BYTES, default 10 MiB
	RequestTimeout time.Duration // APIKEYROUTER_REQUEST_TIMEOUT, default 10m
	AttemptTimeout time.Duration // APIKEYROUTER_ATTEMPT_TIMEOUT, default 120s
	MaxAttempts    int           // APIKEYROUTER_MAX_ATTEMPTS, default 3

	// Core tunes the routing core (objective, cooldowns …).
	CoreConfig abi.Config
	// Providers by id.
	Providers map[string]*Provider
	// Keys to register, in order.
	Keys []Key
	// Budgets to set.
	Budgets []abi.Budget
	// Prices override or extend the bundled price table.
	Prices router.PriceTable
}

// Provider is how to reach one provider.
type Provider struct {
	Adapter string            `yaml:"adapter"`
	BaseURL string            `yaml:"base_url"`
	Headers map[string]string `yaml:"headers"`
	// Models lists model names to register besides the price table's.
	Models []string `yaml:"models"`
	// Discover asks the provider for its models at start (default true).
	Discover *bool `yaml:"discover"`
	keyless  bool
}

// DiscoverModels reports whether to list the provider's models at start.
func (p *Provider) DiscoverModels() bool { return p.Discover == nil || *p.Discover }

// Keyless reports whether the provider needs no API key (a local server).
func (p *Provider) Keyless() bool { return p.keyless }

// Key is one API key to register. Its Source says where it came from, for
// messages (never the secret).
type Key struct {
	abi.Key
	Secret string
	Source string
}

// Addr is the address to listen on.
func (c *Config) Addr() string { return fmt.Sprintf("%s:%d", c.Host, c.Port) }

// SyncPolicy is the journal durability Sync names.
func (c *Config) SyncPolicy() router.SyncPolicy {
	if c.Sync == "always" {
		return router.SyncAlways
	}
	return router.SyncNone
}

func parseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "info":
		return slog.LevelInfo, nil
	case "debug":
		return slog.LevelDebug, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("LOG_LEVEL %q: want debug, info, warn or error", s)
}
