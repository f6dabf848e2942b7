package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// Load reads the configuration from an environment (os.Environ's form),
// completed from the .env file APIKEYROUTER_DOTENV names (default .env in
// the working directory, if there is one; off: none), and, when
// APIKEYROUTER_CONFIG names one, the YAML file. Warnings are things to log
// that do not stop the start (a key for a provider nobody can reach, say);
// they never contain a secret.
func Load(environ []string) (*Config, []string, error) {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	c := &Config{
		Host: "127.0.0.1", Port: 8000, DataDir: "./data", Core: "wasm", Adapters: "auto", Sync: "none",
		MaxBodyBytes: 10 << 20, RequestTimeout: 10 * time.Minute, AttemptTimeout: 120 * time.Second, MaxAttempts: 3,
		Providers: map[string]*Provider{}, Prices: router.PriceTable{},
	}
	dotenv, err := readDotenv(env)
	if err != nil {
		return nil, nil, err
	}
	c.Dotenv = dotenv
	if path := env["APIKEYROUTER_CONFIG"]; path != "" {
		f, values, err := readFile(path, env)
		if err == nil {
			err = f.apply(c)
		}
		if err != nil {
			return nil, nil, redact(err, values)
		}
	}
	if err := c.applyEnv(env); err != nil {
		return nil, nil, err
	}
	warnings := c.envKeys(env)
	if err := c.checkBases(); err != nil {
		return nil, nil, err
	}
	if err := c.addKeyless(); err != nil {
		return nil, nil, err
	}
	if err := c.validate(); err != nil {
		return nil, nil, err
	}
	return c, warnings, nil
}

// checkBases refuses a provider with no base URL whose adapter would then
// call its vendor's API (see [router.MissingBase]): a key for "mycorp", or
// for vllm without VLLM_API_BASE, would go to api.openai.com.
func (c *Config) checkBases() error {
	var errs []error
	for _, id := range sortedIDs(c.Providers) {
		p := c.Providers[id]
		api, missing := router.MissingBase(abi.ProviderID(id), p.Adapter, p.BaseURL)
		if !missing {
			continue
		}
		by := p.source
		for _, k := range c.Keys {
			if string(k.Provider) == id {
				by = "key " + string(k.ID) + " from " + k.Source
				break
			}
		}
		if by != "" {
			by = " (" + by + ")"
		}
		errs = append(errs, fmt.Errorf("provider %q%s has no base URL, so the %s adapter would send its keys to %s: set %s to the provider's API root",
			id, by, p.Adapter, api, BaseSetting(id)))
	}
	return errors.Join(errs...)
}

// BaseSetting names where the configuration sets a provider's base URL:
// providers.<id>.base_url in the config file, or <ID>_API_BASE when an
// environment variable can name the provider.
func BaseSetting(id string) string {
	set := "providers." + id + ".base_url in the config file"
	if name := strings.ToUpper(id) + "_API_BASE"; envBaseName.MatchString(name) && strings.ToLower(id) == id {
		set = name + " or " + set
	}
	return set
}

// addKeyless gives each provider that no key names but that is usable
// without one (see [Provider.Keyless]) a key with an empty secret,
// <provider>-0.
func (c *Config) addKeyless() error {
	keyed := map[abi.ProviderID]bool{}
	taken := map[abi.KeyID]string{}
	for _, k := range c.Keys {
		keyed[k.Provider] = true
		taken[k.ID] = k.Source
	}
	for _, id := range sortedIDs(c.Providers) {
		p := c.Providers[id]
		if keyed[abi.ProviderID(id)] || !usableWithoutKey(id, p) {
			continue
		}
		kid := abi.KeyID(id + "-0")
		if by, ok := taken[kid]; ok {
			return fmt.Errorf("provider %q, used without a key, needs the key id %s, which %s gives another provider's key", id, kid, by)
		}
		p.keyless = true
		c.Keys = append(c.Keys, Key{Key: abi.Key{ID: kid, Provider: abi.ProviderID(id)}, Source: p.source})
	}
	return nil
}

// sortedIDs returns a map's keys in order.
func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// validate checks the ranges of the settings, wherever they came from.
func (c *Config) validate() error {
	for _, r := range []struct {
		name         string
		v, low, high int64
	}{
		{"port (PROXY_PORT)", int64(c.Port), 1, 65535},
		{"max_attempts (APIKEYROUTER_MAX_ATTEMPTS)", int64(c.MaxAttempts), 1, 20},
		{"max_body_bytes (APIKEYROUTER_MAX_BODY_BYTES)", c.MaxBodyBytes, 1024, 1 << 30},
	} {
		if r.v < r.low || r.v > r.high {
			return fmt.Errorf("%s %d: want %d to %d", r.name, r.v, r.low, r.high)
		}
	}
	return nil
}

// applyEnv reads the settings the environment gives.
func (c *Config) applyEnv(env map[string]string) error {
	str := map[string]*string{
		"PROXY_HOST": &c.Host, "PROXY_API_KEY": &c.ProxyKey, "APIKEYROUTER_ADMIN_TOKEN": &c.AdminToken,
		"APIKEYROUTER_ENCRYPTION_KEY": &c.EncryptionKey, "APIKEYROUTER_DATA_DIR": &c.DataDir,
		"APIKEYROUTER_CORE": &c.Core, "APIKEYROUTER_CORE_WASM": &c.CoreWasm, "APIKEYROUTER_PLUGIN_DIR": &c.PluginDir,
		"APIKEYROUTER_ADAPTERS": &c.Adapters, "APIKEYROUTER_SYNC": &c.Sync,
	}
	for name, dst := range str {
		if v, ok := env[name]; ok && v != "" {
			*dst = v
		}
	}
	for _, e := range []struct {
		name    string
		allowed []string
	}{
		{"APIKEYROUTER_CORE", []string{"wasm", "native"}},
		{"APIKEYROUTER_ADAPTERS", []string{"auto", "plugin", "inprocess"}},
		{"APIKEYROUTER_SYNC", []string{"none", "always"}},
	} {
		if v := *str[e.name]; !slices.Contains(e.allowed, v) {
			return fmt.Errorf("%s %q: want one of %s", e.name, v, strings.Join(e.allowed, ", "))
		}
	}
	ints := []struct {
		name     string
		set      func(int64)
		min, max int64
	}{
		{"PROXY_PORT", func(v int64) { c.Port = int(v) }, 1, 65535},
		{"APIKEYROUTER_MAX_BODY_BYTES", func(v int64) { c.MaxBodyBytes = v }, 1024, 1 << 30},
		{"APIKEYROUTER_MAX_ATTEMPTS", func(v int64) { c.MaxAttempts = int(v) }, 1, 20},
	}
	for _, i := range ints {
		v, ok := env[i.name]
		if !ok || v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < i.min || n > i.max {
			return fmt.Errorf("%s %q: want an integer from %d to %d", i.name, v, i.min, i.max)
		}
		i.set(n)
	}
	for _, e := range []struct {
		name string
		dst  *time.Duration
	}{{"APIKEYROUTER_REQUEST_TIMEOUT", &c.RequestTimeout}, {"APIKEYROUTER_ATTEMPT_TIMEOUT", &c.AttemptTimeout}} {
		if v := env[e.name]; v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("%s %q: want a positive duration such as 90s", e.name, v)
			}
			*e.dst = d
		}
	}
	if v, ok := env["LOG_LEVEL"]; ok {
		lvl, err := parseLevel(v)
		if err != nil {
			return err
		}
		c.LogLevel = lvl
	}
	if v := env["APIKEYROUTER_OBJECTIVE"]; v != "" {
		o, err := router.ParseObjective(v)
		if err != nil {
			return fmt.Errorf("APIKEYROUTER_OBJECTIVE: %w", err)
		}
		c.CoreConfig.Objective = o
	}
	return nil
}

// envKeyName matches OPENAI_API_KEY and OPENAI_API_KEY_2; envBaseName
// matches OPENAI_API_BASE.
var (
	envKeyName  = regexp.MustCompile(`^([A-Z][A-Z0-9_]*?)_API_KEY(?:_([0-9]+))?$`)
	envBaseName = regexp.MustCompile(`^([A-Z][A-Z0-9_]*?)_API_BASE$`)
)

// envKeys reads keys and base URLs in LLM-API-Key-Proxy's style:
// <PROVIDER>_API_KEY_<N> (id <provider>-<N>), <PROVIDER>_API_KEY (id
// <provider>-0) and <PROVIDER>_API_BASE.
func (c *Config) envKeys(env map[string]string) []string {
	var warnings []string
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		m := envBaseName.FindStringSubmatch(name)
		if m == nil || env[name] == "" {
			continue
		}
		id := providerID(m[1])
		p := c.Providers[id]
		if p == nil {
			p = &Provider{}
		}
		p.BaseURL = env[name]
		p.source = c.envSource(name)
		c.Providers[id] = mergeProvider(id, p)
	}
	seen := map[abi.KeyID]string{}
	for _, k := range c.Keys {
		seen[k.ID] = k.Source
	}
	for _, name := range names {
		m := envKeyName.FindStringSubmatch(name)
		if m == nil || name == "PROXY_API_KEY" || strings.HasPrefix(name, "APIKEYROUTER_") || env[name] == "" {
			continue
		}
		prov := providerID(m[1])
		n, _ := strconv.Atoi(m[2]) // none: 0
		id := abi.KeyID(prov + "-" + strconv.Itoa(n))
		if by, dup := seen[id]; dup {
			warnings = append(warnings, fmt.Sprintf("%s: ignored: key %s is already defined by %s", name, id, by))
			continue
		}
		if _, known := knownProviders[prov]; !known && c.Providers[prov] == nil {
			warnings = append(warnings, fmt.Sprintf("%s: unknown provider %q: set %s_API_BASE to its OpenAI-compatible API root", name, prov, m[1]))
			continue
		}
		if c.Providers[prov] == nil {
			c.Providers[prov] = mergeProvider(prov, &Provider{})
		}
		seen[id] = c.envSource(name)
		c.Keys = append(c.Keys, Key{Key: abi.Key{ID: id, Provider: abi.ProviderID(prov)}, Secret: env[name], Source: seen[id]})
	}
	for _, k := range c.Keys {
		if c.Providers[string(k.Provider)] == nil {
			c.Providers[string(k.Provider)] = mergeProvider(string(k.Provider), &Provider{})
		}
	}
	return append(warnings, c.envKeySettings(env, names)...)
}

// envKeySettings reads LLM-API-Key-Proxy's per-provider key settings:
// MAX_CONCURRENT_REQUESTS_PER_KEY_<PROVIDER> becomes the concurrency limit,
// and WHITELIST_MODELS_<PROVIDER> (comma-separated) the allowed models, of
// each key of the provider that does not set its own. IGNORE_MODELS_ has
// no equivalent (a key lists the models it may serve, not those it may
// not): it is reported, not silently dropped.
func (c *Config) envKeySettings(env map[string]string, names []string) []string {
	var warnings []string
	keysOf := func(prov string, set func(k *abi.Key)) {
		for i := range c.Keys {
			if string(c.Keys[i].Provider) == prov {
				set(&c.Keys[i].Key)
			}
		}
	}
	for _, name := range names {
		v := strings.TrimSpace(env[name])
		switch prefix, prov, _ := strings.Cut(name, "_PER_KEY_"); {
		case v == "":
		case prefix == "MAX_CONCURRENT_REQUESTS" && prov != "":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				warnings = append(warnings, fmt.Sprintf("%s: ignored: %q is not a positive whole number", name, v))
				continue
			}
			keysOf(providerID(prov), func(k *abi.Key) {
				if k.Limits.Concurrency == 0 {
					k.Limits.Concurrency = n
				}
			})
		case strings.HasPrefix(name, "WHITELIST_MODELS_"):
			var models []string
			for _, m := range strings.Split(v, ",") {
				if m = strings.TrimSpace(m); m != "" {
					models = append(models, m)
				}
			}
			keysOf(providerID(strings.TrimPrefix(name, "WHITELIST_MODELS_")), func(k *abi.Key) {
				if len(k.Models) == 0 {
					k.Models = models
				}
			})
		case strings.HasPrefix(name, "IGNORE_MODELS_"):
			warnings = append(warnings, fmt.Sprintf("%s: ignored: list the models a provider's keys may serve instead (WHITELIST_MODELS_%s, or models per key in the config file)",
				name, strings.TrimPrefix(name, "IGNORE_MODELS_")))
		}
	}
	return warnings
}

// providerID turns an environment prefix into a provider id: OPENAI → openai.
func providerID(prefix string) string { return strings.ToLower(prefix) }
