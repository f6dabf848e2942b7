package inproc_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/bench/internal/loadgen"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/wasmcore"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/wasm/wasmbuild"
)

// Set by TestMain: the core module, a compilation cache for it, and the
// mock upstream's URL (a process of its own).
var wasmPath, cacheDir, mockURL string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		return m.Run() // no benchmark to run: go test ./... need not build and start anything
	}
	dir, err := os.MkdirTemp("", "inproc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	cacheDir = filepath.Join(dir, "wazero")
	if wasmPath, _, err = wasmbuild.Build(dir, "core.wasm"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	stop, err := startMock(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stop()
	return m.Run()
}

// startMock builds and starts the mock upstream on a free port and waits
// (at most 30 s) until it answers.
func startMock(dir string) (stop func(), err error) {
	bin := filepath.Join(dir, "mockupstream")
	if out, err := exec.Command("go", "build", "-o", bin, "../../mockupstream/cmd/mockupstream").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build the mock: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "-addr", addr)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	mockURL = "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("the mock at %s did not start", addr)
		}
	}
}

const proxyKey = "sk-akr-bench"

// The request bodies, as make bench sends them.
const (
	chatBody   = `{"model":"gpt-4o-mini","messages":[{"role":"system","content":"You are a concise assistant."},{"role":"user","content":"In two sentences, explain why a gateway in front of an LLM API should add as little latency as it can to every call it forwards, and what it should measure to prove it."}]}`
	streamBody = `{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"system","content":"You are a concise assistant."},{"role":"user","content":"In two sentences, explain why a gateway in front of an LLM API should add as little latency as it can to every call it forwards, and what it should measure to prove it."}]}`
)

// BenchmarkProxy is one chat completion through a target, from 32
// connections of the load generator: the bare ReverseProxy hop, or
// apikeyrouter's proxy with the native or the WebAssembly core, persisting
// to a data directory and logging a line per request as the binary does.
// The mock upstream is a process of its own, so a CPU profile holds the
// target and the load generator's client (package loadgen) only.
func BenchmarkProxy(b *testing.B) {
	for _, tc := range []struct {
		target string
		keys   int
	}{{"barehop", 1}, {"native", 3}, {"wasm", 3}, {"wasm", 1000}} {
		for _, stream := range []bool{false, true} {
			b.Run(fmt.Sprintf("target=%s/keys=%d/stream=%t", tc.target, tc.keys, stream), func(b *testing.B) {
				var h http.Handler
				engine := &timedEngine{}
				if tc.target == "barehop" {
					h = bareHop(b)
				} else {
					h = newProxy(b, tc.target, tc.keys, engine)
				}
				srv := httptest.NewServer(h)
				b.Cleanup(srv.Close)
				body := chatBody
				if stream {
					body = streamBody
				}
				b.ReportAllocs()
				engine.reset()
				b.ResetTimer()
				res, err := loadgen.Run(loadgen.Config{URL: srv.URL + "/v1/chat/completions", Body: []byte(body),
					Header: []string{"Authorization: Bearer " + proxyKey}, Conns: 32, Requests: uint64(b.N), Duration: 10 * time.Minute})
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				if res.Errors > 0 || res.Requests != uint64(b.N) {
					b.Fatalf("%d of %d requests answered, %d failed (%s)", res.Requests, b.N, res.Errors, res.FirstError)
				}
				b.ReportMetric(float64(res.Latency.Quantile(0.5).Microseconds()), "p50-µs")
				if tc.target != "barehop" {
					calls, took := engine.totals()
					b.ReportMetric(float64(calls)/float64(b.N), "core-calls/op")
					b.ReportMetric(float64(took.Nanoseconds())/float64(b.N), "core-ns/op")
				}
			})
		}
	}
}

// bareHop is hosts/bench/barehop's handler.
func bareHop(b *testing.B) http.Handler {
	target, err := url.Parse(mockURL)
	if err != nil {
		b.Fatal(err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns, transport.MaxIdleConnsPerHost = 1024, 256
	b.Cleanup(transport.CloseIdleConnections)
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Header.Set("Authorization", "Bearer sk-bench-1")
			if n := r.In.ContentLength; n > 0 {
				r.Out.Body = struct {
					io.Reader
					io.Closer
				}{io.LimitReader(r.In.Body, n), r.In.Body}
			}
		},
		Transport: transport,
	}
}

// newProxy returns apikeyrouter's handler over a router set up as
// apikeyrouter serve sets it up: a data directory, the OpenAI adapter
// in-process, the bundled prices, keys sk-bench-1 … and an info log.
func newProxy(b *testing.B, core string, keys int, timed *timedEngine) http.Handler {
	dir := b.TempDir()
	logFile, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { logFile.Close() })
	log := slog.New(slog.NewJSONHandler(logFile, nil))
	opts := router.Options{Logger: log, DataDir: filepath.Join(dir, "data"), MasterKey: []byte("bench-master-key"),
		Adapters: map[string]sdk.Adapter{"openai": openai.New(openai.Config{})}}
	if core == "wasm" {
		engine, err := wasmcore.New(context.Background(), wasmcore.Config{WasmPath: wasmPath, CacheDir: cacheDir})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { engine.Close(context.Background()) })
		timed.Engine = engine
	} else {
		timed.Engine = router.NativeEngine()
	}
	opts.Engine = timed
	r, err := router.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	if err := r.SetProvider(router.Provider{ID: "openai", AdapterName: "openai", BaseURL: mockURL + "/v1"}); err != nil {
		b.Fatal(err)
	}
	models, err := router.BundledPrices().Models("openai")
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range models {
		if err := r.RegisterModel(m); err != nil {
			b.Fatal(err)
		}
	}
	for i := 1; i <= keys; i++ {
		if err := r.RegisterKey(abi.Key{ID: abi.KeyID(fmt.Sprintf("openai-%d", i)), Provider: "openai"}, fmt.Sprintf("sk-bench-%d", i)); err != nil {
			b.Fatal(err)
		}
	}
	srv, err := proxy.New(r, proxy.Config{ProxyKey: proxyKey, Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	return srv.Handler()
}

// timedEngine counts and times the calls into a core.
type timedEngine struct {
	router.Engine
	mu    sync.Mutex
	calls int
	took  time.Duration
}

func (e *timedEngine) time(start time.Time) {
	d := time.Since(start)
	e.mu.Lock()
	e.calls++
	e.took += d
	e.mu.Unlock()
}

func (e *timedEngine) Apply(ctx context.Context, in []byte) ([]byte, error) {
	defer e.time(time.Now())
	return e.Engine.Apply(ctx, in)
}

func (e *timedEngine) Route(ctx context.Context, in []byte) ([]byte, error) {
	defer e.time(time.Now())
	return e.Engine.Route(ctx, in)
}

func (e *timedEngine) reset() {
	e.mu.Lock()
	e.calls, e.took = 0, 0
	e.mu.Unlock()
}

func (e *timedEngine) totals() (int, time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls, e.took
}

// Interface guards
var _ router.Engine = (*timedEngine)(nil)
