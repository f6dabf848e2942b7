package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/config"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/procs"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wasmcore"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// drainTimeout bounds how long a shutdown waits for requests in flight.
const drainTimeout = 30 * time.Second

// serve runs the proxy until ctx ends (SIGINT, SIGTERM), then drains the
// requests in flight and writes a last snapshot.
func serve(ctx context.Context, environ []string) error {
	cfg, warnings, err := config.Load(environ)
	if err != nil {
		return err
	}
	logs := newLogWriter(os.Stderr, logFlushEvery)
	defer logs.Flush()
	urgent := new(slog.LevelVar) // flush every line until ready, then warnings and errors
	urgent.Set(flushAll)
	log := slog.New(urgentFlush{slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: cfg.LogLevel}), logs, urgent})
	slog.SetDefault(log) // what the packages below log without a logger of ours (the store's key recovery)
	for _, w := range warnings {
		log.Warn(w)
	}
	if err := locate(cfg); err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("APIKEYROUTER_DATA_DIR %s: %w", cfg.DataDir, err)
	}
	if err := writable(cfg.DataDir); err != nil {
		return fmt.Errorf("APIKEYROUTER_DATA_DIR %s is not writable: %w", cfg.DataDir, err)
	}
	master, created, err := router.LoadOrCreateMasterKey(cfg.DataDir, cfg.EncryptionKey)
	if err != nil {
		return fmt.Errorf("master key: %w", err)
	}
	if created {
		log.Warn("APIKEYROUTER_ENCRYPTION_KEY is not set: generated a master key into the data dir; back it up, or set the variable",
			"file", filepath.Join(cfg.DataDir, "master.key"))
	}

	opts := router.Options{Config: cfg.CoreConfig, Logger: log, DataDir: cfg.DataDir, MasterKey: master,
		Sync: cfg.SyncPolicy(), MaxAttempts: cfg.MaxAttempts, AttemptTimeout: cfg.AttemptTimeout}
	if cfg.Core == "wasm" {
		engine, err := wasmcore.New(ctx, wasmcore.Config{WasmPath: cfg.CoreWasm, CacheDir: filepath.Join(cfg.DataDir, "wazero")})
		if err != nil {
			return fmt.Errorf("core %s: %w (run make build, or set APIKEYROUTER_CORE_WASM)", cfg.CoreWasm, err)
		}
		defer engine.Close(context.Background())
		opts.Engine = engine
	}
	adapters, stopAdapters, err := adapters(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer plugin.CleanupClients()
	defer stopAdapters()
	opts.Adapters = adapters

	r, err := router.New(opts)
	if err != nil {
		return err
	}
	defer func() {
		if err := r.Close(); err != nil {
			log.Error("closing the router", "err", err)
		}
	}()
	if err := configure(r, cfg, log); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	proxyHash, err := token(r, "PROXY_API_KEY", cfg.ProxyKey, "sk-akr-", os.Stderr)
	if err != nil {
		return err
	}
	adminHash, err := token(r, "APIKEYROUTER_ADMIN_TOKEN", cfg.AdminToken, "akr-admin-", os.Stderr)
	if err != nil {
		return err
	}
	srv, err := proxy.New(r, proxy.Config{ProxyKeyHash: proxyHash, AdminTokenHash: adminHash, Logger: log,
		MaxBodyBytes: cfg.MaxBodyBytes, RequestTimeout: cfg.RequestTimeout,
		ConfigKeys: cfg.KeySources(), ConfigBudgets: cfg.BudgetSources()})
	if err != nil {
		return err
	}
	if err := srv.LoadClients(); err != nil {
		return fmt.Errorf("virtual keys: %w", err)
	}
	go discover(ctx, r, cfg, adapters, log)

	// Start-up (deriving the master key takes 64 MiB, compiling the core
	// more) leaves the collector's goal sized for a heap the proxy no
	// longer has, and the pages with the process: collect now and return
	// them, so that the steady state sets the goal.
	debug.FreeOSMemory()

	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("listen on %s (PROXY_HOST, PROXY_PORT): %w", cfg.Addr(), err)
	}
	load := new(procs.Load)
	hs := &http.Server{
		Handler:           load.Handler(srv.Handler()),
		ReadHeaderTimeout: 10 * time.Second, // slow clients cannot hold a connection without a request
		ReadTimeout:       2 * time.Minute,  // nor dribble a body forever
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "core", cfg.Core, "data_dir", cfg.DataDir)
	go procs.Run(ctx, load, log)
	urgent.Set(slog.LevelWarn)
	srv.SetReady(true)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	srv.SetReady(false)
	urgent.Set(flushAll)
	log.Info("shutting down: draining requests in flight", "timeout", drainTimeout.String())
	dctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if err := hs.Shutdown(dctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("drain incomplete", "err", err)
	}
	return nil
}

// writable checks that dir takes a new file, so that a read-only data
// directory stops the start with a message that names it, not with an
// error from deep inside the store.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// locate fills in where the core module and the adapter plugins are: next
// to this binary unless configured.
func locate(cfg *config.Config) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	dir := filepath.Dir(exe)
	if cfg.CoreWasm == "" {
		cfg.CoreWasm = filepath.Join(dir, "apikeyrouter-core.wasm")
	}
	if cfg.PluginDir == "" {
		cfg.PluginDir = dir
	}
	return nil
}
