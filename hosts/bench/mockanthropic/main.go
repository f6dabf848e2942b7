// Command mockanthropic serves the mock Anthropic Messages API of package
// hosts/mockupstream/anthropic over HTTP: the upstream of the benchmarks'
// translating-adapter target.
//
//	mockanthropic -addr 127.0.0.1:9998
//	curl -s localhost:9998/v1/messages -H 'x-api-key: sk-ant-1' -H 'anthropic-version: 2023-06-01' \
//	  -d '{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"hello"}]}'
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream/anthropic"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9998", "listen address")
	flag.Parse()
	srv := &http.Server{Addr: *addr, Handler: anthropic.New(anthropic.Config{}), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("mockanthropic: %v", err)
	}
}
