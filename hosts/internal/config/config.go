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
// (DESIGN.md §6, in LLM-API-Key-Proxy's style, completed from a .env
// file) and the optional YAML file APIKEYROUTER_CONFIG. The environment
// wins where both set a setting or a provider's base URL; a key id both
// define is the file's (Load warns).
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
	// Keys to register, in order. A provider used without a key (see
	// [Provider.Keyless]) has one here with an empty secret.
	Keys []Key
	// Budgets to set.
	Budgets []Budget
	// Prices override or extend the bundled price table.
	Prices router.PriceTable
	// Dotenv is what the .env file set; its Path is empty if none was read.
	Dotenv Dotenv
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
	// source is where the provider is defined (see [Key]'s Source).
	source  string
	keyless bool
}

// DiscoverModels reports whether to list the provider's models at start.
func (p *Provider) DiscoverModels() bool { return p.Discover == nil || *p.Discover }

// Keyless reports whether the provider is used without an API key: no key
// names it, and it is a local server the router knows (ollama, vllm) or a
// provider of the operator's own with a base URL. Its key in
// [Config.Keys] has an empty secret.
func (p *Provider) Keyless() bool { return p.keyless }

// Key is one API key to register. Its Source says where it is defined, for
// messages (never the secret): "environment variable OPENAI_API_KEY_1",
// "config file /etc/akr.yaml, keys[0]".
type Key struct {
	abi.Key
	Secret string
	Source string
}

// Budget is one budget to set, with where it is defined ("config file
// /etc/akr.yaml, budgets[0]").
type Budget struct {
	abi.Budget
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
