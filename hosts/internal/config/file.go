package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// file is the YAML configuration file (APIKEYROUTER_CONFIG). Every field
// is optional; ${VAR} is replaced with the environment's VAR, so secrets
// can stay in the environment.
type file struct {
	Host           string               `yaml:"host"`
	Port           int                  `yaml:"port"`
	DataDir        string               `yaml:"data_dir"`
	LogLevel       string               `yaml:"log_level"`
	Objective      string               `yaml:"objective"`
	Cooldown       cooldown             `yaml:"cooldown"`
	MaxAttempts    int                  `yaml:"max_attempts"`
	RequestTimeout string               `yaml:"request_timeout"`
	AttemptTimeout string               `yaml:"attempt_timeout"`
	MaxBodyBytes   int64                `yaml:"max_body_bytes"`
	Providers      map[string]*Provider `yaml:"providers"`
	Keys           []fileKey            `yaml:"keys"`
	Budgets        []fileBudget         `yaml:"budgets"`
	Prices         router.PriceTable    `yaml:"prices"`
	// path is the file's absolute path, for the sources of what it defines.
	path string
}

// source names a part of the file as the source of a definition.
func (f *file) source(part string) string { return "config file " + f.path + ", " + part }

type cooldown struct {
	Ladder            []string `yaml:"ladder"`
	Cap               string   `yaml:"cap"`
	ResetHintCap      string   `yaml:"reset_hint_cap"`
	RetrySameKeyBelow string   `yaml:"retry_same_key_below"`
	FailureThreshold  int64    `yaml:"failure_threshold"`
}

type fileKey struct {
	ID       string     `yaml:"id"`
	Provider string     `yaml:"provider"`
	Secret   string     `yaml:"secret"`
	Weight   int64      `yaml:"weight"`
	Tier     int64      `yaml:"tier"`
	Tags     []string   `yaml:"tags"`
	Models   []string   `yaml:"models"`
	Discount int64      `yaml:"discount"`
	Limits   abi.Limits `yaml:"limits"`
}

type fileBudget struct {
	ID          string `yaml:"id"`
	Scope       string `yaml:"scope"`
	Target      string `yaml:"target"`
	Period      string `yaml:"period"`
	Window      string `yaml:"window"`
	LimitUSD    string `yaml:"limit_usd"`
	Enforcement string `yaml:"enforcement"`
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// readFile parses the YAML file at path, strictly: an unknown field is an
// error, so a typo is not silently ignored. It also returns the values it
// put in for ${VAR} references, which an error must not show (see
// [redact]). A YAML error names the line and column, never the source
// line: that would print a secret on the line.
func readFile(path string, env map[string]string) (*file, []string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config file: %w", err)
	}
	var missing, values []string
	b = envRef.ReplaceAllFunc(b, func(m []byte) []byte {
		name := string(m[2 : len(m)-1])
		v, ok := env[name]
		if !ok {
			missing = append(missing, name)
		}
		values = append(values, v)
		return []byte(v)
	})
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("config file %s: environment variables not set: %v", path, missing)
	}
	var f file
	if err := yaml.UnmarshalWithOptions(b, &f, yaml.Strict()); err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) {
			return nil, values, fmt.Errorf("config file %s: %s", path, ye.FormatError(false, false))
		}
		return nil, values, fmt.Errorf("config file %s: %w", path, err)
	}
	f.path = path
	if abs, err := filepath.Abs(path); err == nil {
		f.path = abs
	}
	return &f, values, nil
}

// minSecretLen is the length from which a value put in for a ${VAR}
// reference is taken for a secret and redacted from errors; shorter ones
// (ports, flags, levels) stay readable.
const minSecretLen = 8

// redact replaces, in err's message, every value put in for a ${VAR}
// reference that could be a secret.
func redact(err error, values []string) error {
	msg := err.Error()
	redacted := msg
	for _, v := range values {
		if len(v) >= minSecretLen {
			redacted = strings.ReplaceAll(redacted, v, "[redacted ${VAR} value]")
		}
	}
	if redacted == msg {
		return err
	}
	return errors.New(redacted)
}

// apply merges the file into c.
func (f *file) apply(c *Config) error {
	if f.Host != "" {
		c.Host = f.Host
	}
	if f.Port != 0 {
		c.Port = f.Port
	}
	if f.DataDir != "" {
		c.DataDir = f.DataDir
	}
	if f.LogLevel != "" {
		lvl, err := parseLevel(f.LogLevel)
		if err != nil {
			return err
		}
		c.LogLevel = lvl
	}
	if f.Objective != "" {
		o, err := router.ParseObjective(f.Objective)
		if err != nil {
			return fmt.Errorf("config file: %w", err)
		}
		c.CoreConfig.Objective = o
	}
	if err := f.Cooldown.apply(&c.CoreConfig); err != nil {
		return err
	}
	if f.MaxAttempts != 0 {
		c.MaxAttempts = f.MaxAttempts
	}
	if f.MaxBodyBytes != 0 {
		c.MaxBodyBytes = f.MaxBodyBytes
	}
	for _, d := range []struct {
		s   string
		dst *time.Duration
		key string
	}{{f.RequestTimeout, &c.RequestTimeout, "request_timeout"}, {f.AttemptTimeout, &c.AttemptTimeout, "attempt_timeout"}} {
		if d.s == "" {
			continue
		}
		v, err := time.ParseDuration(d.s)
		if err != nil || v <= 0 {
			return fmt.Errorf("config file: %s %q is not a positive duration", d.key, d.s)
		}
		*d.dst = v
	}
	for id, p := range f.Providers {
		if p == nil {
			p = &Provider{}
		}
		if !abi.ValidID(id) {
			return fmt.Errorf("config file: provider id %q is not a valid id", id)
		}
		p.source = f.source("providers." + id)
		c.Providers[id] = mergeProvider(id, p)
	}
	keys := map[string]int{}
	for i, k := range f.Keys {
		if k.ID == "" || k.Provider == "" {
			return fmt.Errorf("config file: keys[%d] needs an id and a provider", i)
		}
		if j, dup := keys[k.ID]; dup {
			return fmt.Errorf("config file: keys[%d]: id %q is keys[%d]'s too", i, k.ID, j)
		}
		keys[k.ID] = i
		c.Keys = append(c.Keys, Key{Key: abi.Key{ID: abi.KeyID(k.ID), Provider: abi.ProviderID(k.Provider), Weight: k.Weight,
			Tier: k.Tier, Tags: k.Tags, Models: k.Models, Discount: k.Discount, Limits: k.Limits},
			Secret: k.Secret, Source: f.source(fmt.Sprintf("keys[%d]", i))})
	}
	budgets := map[string]int{}
	for i, b := range f.Budgets {
		budget, err := b.budget()
		if err != nil {
			return fmt.Errorf("config file: budgets[%d]: %w", i, err)
		}
		if j, dup := budgets[b.ID]; dup {
			return fmt.Errorf("config file: budgets[%d]: id %q is budgets[%d]'s too", i, b.ID, j)
		}
		budgets[b.ID] = i
		c.Budgets = append(c.Budgets, Budget{Budget: budget, Source: f.source(fmt.Sprintf("budgets[%d]", i))})
	}
	for prov, models := range f.Prices {
		if c.Prices[prov] == nil {
			c.Prices[prov] = map[string]router.PriceEntry{}
		}
		for name, e := range models {
			c.Prices[prov][name] = e
		}
	}
	return nil
}

// mergeProvider fills a configured provider's gaps from the known ones.
func mergeProvider(id string, p *Provider) *Provider {
	if k, ok := knownProviders[id]; ok {
		if p.Adapter == "" {
			p.Adapter = k.adapter
		}
		if p.BaseURL == "" {
			p.BaseURL = k.baseURL
		}
	}
	if p.Adapter == "" {
		p.Adapter = "openai"
	}
	return p
}

func (cd cooldown) apply(c *abi.Config) error {
	for _, s := range cd.Ladder {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("config file: cooldown ladder step %q is not a positive duration", s)
		}
		c.CooldownLadder = append(c.CooldownLadder, abi.Duration(d))
	}
	for _, d := range []struct {
		s   string
		dst *abi.Duration
		key string
	}{{cd.Cap, &c.CooldownCap, "cap"}, {cd.ResetHintCap, &c.ResetHintCap, "reset_hint_cap"}, {cd.RetrySameKeyBelow, &c.RetrySameKeyBelow, "retry_same_key_below"}} {
		if d.s == "" {
			continue
		}
		v, err := time.ParseDuration(d.s)
		if err != nil || v <= 0 {
			return fmt.Errorf("config file: cooldown %s %q is not a positive duration", d.key, d.s)
		}
		*d.dst = abi.Duration(v)
	}
	c.FailureThreshold = cd.FailureThreshold
	return nil
}

func (b fileBudget) budget() (abi.Budget, error) {
	out := abi.Budget{ID: abi.BudgetID(b.ID), Target: b.Target}
	var err error
	if b.Scope != "" {
		if out.Scope, err = abi.ParseScope(b.Scope); err != nil {
			return out, err
		}
	}
	if out.Period, err = abi.ParsePeriod(or(b.Period, "daily")); err != nil {
		return out, err
	}
	if b.Enforcement != "" {
		if out.Enforcement, err = abi.ParseEnforcement(b.Enforcement); err != nil {
			return out, err
		}
	}
	if b.Window != "" {
		d, err := time.ParseDuration(b.Window)
		if err != nil {
			return out, fmt.Errorf("window %q: %w", b.Window, err)
		}
		out.Window = abi.Duration(d)
	}
	if out.Limit, err = router.ParseUSD(b.LimitUSD); err != nil {
		return out, fmt.Errorf("limit_usd: %w", err)
	}
	return out, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
