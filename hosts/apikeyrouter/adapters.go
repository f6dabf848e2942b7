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
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/abi"

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

// supervised is an adapter plugin subprocess that is restarted when it
// dies; calls in flight on a dead one fail (and the router fails over).
type supervised struct {
	mu     sync.Mutex
	client *sdk.Client
	log    hclog.Logger
}

func startPlugin(path string, cfg *config.Config) (*supervised, error) {
	log := hclog.New(&hclog.LoggerOptions{Name: filepath.Base(path), Output: os.Stderr, JSONFormat: true,
		Level: hclog.LevelFromString(cfg.LogLevel.String())})
	c, err := sdk.NewClient(sdk.ClientConfig{Path: path, Logger: log, StartTimeout: 30 * time.Second,
		Env: []string{"GOMAXPROCS=" + strconv.Itoa(pluginProcs())}})
	if err != nil {
		return nil, err
	}
	return &supervised{client: c, log: log}, nil
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

// adapter returns the live plugin's adapter, restarting a dead plugin.
func (s *supervised) adapter() (sdk.Adapter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client.Exited() {
		if err := s.restart(); err != nil {
			return nil, err
		}
	}
	return s.client.Adapter(), nil
}

// failed is told of a call that failed for want of a connection: the
// plugin may have died a moment ago (before Exited says so). A plugin that
// no longer answers a ping is restarted, so the failover's next attempt
// reaches a live one.
func (s *supervised) failed(err error) {
	if sdk.ClassifyError(err) != abi.ConnectionError {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.client.Alive() {
		if rerr := s.restart(); rerr != nil {
			s.log.Error("adapter plugin restart failed", "err", rerr)
		}
	}
}

// restart replaces the plugin process (the caller holds mu).
func (s *supervised) restart() error {
	s.log.Warn("adapter plugin is gone; restarting it")
	c, err := s.client.Restart()
	if err != nil {
		return &sdk.Error{Result: abi.ConnectionError, Message: "adapter plugin restart failed: " + err.Error()}
	}
	s.client = c
	return nil
}

func (s *supervised) pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client.Pid()
}

func (s *supervised) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.client.Kill()
}

func (s *supervised) Info(ctx context.Context) (sdk.Info, error) {
	a, err := s.adapter()
	if err != nil {
		return sdk.Info{}, err
	}
	return a.Info(ctx)
}

func (s *supervised) EstimateTokens(ctx context.Context, req *sdk.Request) (int64, error) {
	a, err := s.adapter()
	if err != nil {
		return 0, err
	}
	return a.EstimateTokens(ctx, req)
}

func (s *supervised) Do(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	a, err := s.adapter()
	if err != nil {
		return nil, err
	}
	resp, err := a.Do(ctx, req)
	if err != nil {
		s.failed(err)
	}
	return resp, err
}

func (s *supervised) Models(ctx context.Context, req *sdk.Request) ([]sdk.Model, error) {
	a, err := s.adapter()
	if err != nil {
		return nil, err
	}
	return a.Models(ctx, req)
}

// Interface guards
var _ sdk.Adapter = (*supervised)(nil)
