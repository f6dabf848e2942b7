// Command barehop is the benchmarks' baseline: the least a Go gateway in
// front of an LLM API can do — one httputil.ReverseProxy hop that sends
// every request to one upstream with its own bearer secret, and nothing
// else (no parsing, routing, accounting or logging).
//
//	barehop -addr 127.0.0.1:8001 -upstream http://127.0.0.1:9999 -key sk-bench-1
//
// Its transport pools connections as apikeyrouter's OpenAI adapter does
// (-idle-per-host 256); -idle-per-host 2 is Go's default transport.
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8001", "listen address")
	upstream := flag.String("upstream", "http://127.0.0.1:9999", "the upstream's root URL")
	key := flag.String("key", "sk-bench-1", "the bearer secret sent upstream")
	idle := flag.Int("idle-per-host", 256, "idle upstream connections kept (Go's default: 2)")
	flag.Parse()
	target, err := url.Parse(*upstream)
	if err != nil || target.Host == "" {
		log.Fatalf("barehop: -upstream %q: want an absolute URL", *upstream)
	}

	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = max(*idle, transport.MaxIdleConns)
	transport.MaxIdleConnsPerHost = *idle
	bearer := "Bearer " + *key
	hop := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Header.Set("Authorization", bearer)
			if n := r.In.ContentLength; n > 0 {
				// After sending n bytes, the transport reads the body once
				// more to check for excess; if the answer's headers came
				// back first, the server has closed the body by then, the
				// read fails and the upstream connection is torn down
				// mid-answer (golang/go#40747). A LimitReader answers that
				// read itself.
				r.Out.Body = struct {
					io.Reader
					io.Closer
				}{io.LimitReader(r.In.Body, n), r.In.Body}
			}
		},
		Transport: transport,
	}
	srv := &http.Server{Addr: *addr, Handler: hop, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("barehop: %v", err)
	}
}
