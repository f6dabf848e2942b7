package config

import (
	"fmt"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// KeySources maps the id of every key the configuration defines (the
// environment, the config file, a provider used without a key) to where it
// is defined, e.g. "environment variable OPENAI_API_KEY_1", "environment
// variable GROQ_API_KEY (set by /srv/.env)" or "config file
// /etc/akr.yaml, keys[0]". Keys added through the admin API are not in it:
// these are the keys every start registers again.
func (c *Config) KeySources() map[abi.KeyID]string {
	out := make(map[abi.KeyID]string, len(c.Keys))
	for _, k := range c.Keys {
		out[k.ID] = k.Source
	}
	return out
}

// BudgetSources maps the id of every budget the configuration defines to
// where it is defined, as [Config.KeySources] does for keys.
func (c *Config) BudgetSources() map[abi.BudgetID]string {
	out := make(map[abi.BudgetID]string, len(c.Budgets))
	for _, b := range c.Budgets {
		out[b.ID] = b.Source
	}
	return out
}

// envSource names an environment variable as a source, and the .env file
// if that is where its value came from.
func (c *Config) envSource(name string) string {
	if c.Dotenv.vars[name] {
		return fmt.Sprintf("environment variable %s (set by %s)", name, c.Dotenv.Path)
	}
	return "environment variable " + name
}
