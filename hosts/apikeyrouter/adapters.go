package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/config"
	"github.com/apikeyrouter/apikeyrouter/plugins/anthropic"
	"github.com/apikeyrouter/apikeyrouter/plugins/azure"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// inProcess are the adapters this binary carries itself: a plugin that
// declares itself wire-compatible with one of them runs in-process, with no
// subprocess round trip per request.
var inProcess = map[string]func() sdk.Adapter{
	"openai": func() sdk.Adapter { return openai.New(openai.Config{}) },
	"azure":  func() sdk.Adapter { return azure.New(azure.Config{}) },
	// Anthropic's own format passes through (wire-compatible); OpenAI
	// bodies are translated, in-process too.
	"anthropic": func() sdk.Adapter { return anthropic.New(anthropic.Config{}) },
}

// adapters starts the adapters the configured providers need and returns
// them by name, with a function that stops them.
func adapters(ctx context.Context, cfg *config.Config, log *slog.Logger) (map[string]sdk.Adapter, func(), error) {
	names := []string{}
	for _, p := range cfg.Providers {
		if !slices.Contains(names, p.Adapter) {
			names = append(names, p.Adapter)
		}
	}
	slices.Sort(names)
	out := map[string]sdk.Adapter{}
	var plugins []*supervised
	stop := func() {
		for _, p := range plugins {
			p.stop()
		}
	}
	for _, name := range names {
		native, haveNative := inProcess[name]
		if cfg.Adapters == "inprocess" && haveNative {
			out[name] = native()
			continue
		}
		path := filepath.Join(cfg.PluginDir, "apikeyrouter-"+name)
		if _, err := os.Stat(path); err != nil {
			if haveNative && cfg.Adapters == "auto" {
				log.Warn("adapter plugin not found, running it in-process", "adapter", name, "path", path)
				out[name] = native()
				continue
			}
			stop()
			return nil, nil, fmt.Errorf("adapter %q: plugin %s not found (run make build, or set APIKEYROUTER_PLUGIN_DIR)", name, path)
		}
		p, err := startPlugin(path, cfg)
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("adapter %q: %w", name, err)
		}
		info, err := p.Info(ctx)
		if err != nil {
			p.stop()
			stop()
			return nil, nil, fmt.Errorf("adapter %q: %w", name, err)
		}
		if info.WireCompatible && haveNative && cfg.Adapters == "auto" {
			log.Info("adapter is wire-compatible: running it in-process", "adapter", name, "version", info.Version)
			p.stop()
			out[name] = native()
			continue
		}
		log.Info("adapter plugin started", "adapter", name, "version", info.Version, "pid", p.pid())
		plugins = append(plugins, p)
		out[name] = p
	}
	return out, stop, nil
}

// pluginStartTimeout bounds a plugin's start-up handshake. Only the first
// start, before the proxy serves, waits for it: restarts run in the
// background, and a call waits for one only until its own context ends.
const pluginStartTimeout = 30 * time.Second

// startPlugin starts the plugin at path and supervises it. Its logs and
// stderr go to the proxy's stderr with every secret it was handed redacted.
func startPlugin(path string, cfg *config.Config) (*supervised, error) {
	secrets := &secretSet{}
	log := hclog.New(&hclog.LoggerOptions{Name: filepath.Base(path), Output: &redactWriter{w: os.Stderr, secrets: secrets},
		JSONFormat: true, Level: hclog.LevelFromString(cfg.LogLevel.String())})
	stderr := &stderrTail{}
	ccfg := sdk.ClientConfig{Path: path, Logger: log, StartTimeout: pluginStartTimeout, Stderr: stderr,
		Env: []string{"GOMAXPROCS=" + strconv.Itoa(pluginProcs())}}
	c, err := sdk.NewClient(ccfg)
	if err != nil {
		if out := stderr.String(); out != "" {
			err = fmt.Errorf("%w; the plugin's stderr: %s", err, out)
		}
		return nil, err
	}
	return newSupervised(c, ccfg, log, stderr, secrets), nil
}

// pluginProcs is the GOMAXPROCS a plugin runs with: half the proxy's, at
// least one. A plugin's work per request is a fraction of the proxy's, and
// every idle processor costs it wake-ups: each message handed between its
// goroutines wakes a thread to run on the idle one. On 2 cores, one
// processor took a plugin call's p50 from 875 to 786 µs unloaded, and 4%
// off the CPU per request at 32 connections.
func pluginProcs() int {
	return max(1, runtime.GOMAXPROCS(0)/2)
}
