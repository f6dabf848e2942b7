// Command mockupstream serves the mock OpenAI-compatible upstream of package
// mockupstream over HTTP, for benchmarks and manual tests.
//
//	mockupstream -addr 127.0.0.1:9999 -rpm 600
//	curl -s localhost:9999/v1/chat/completions -H 'Authorization: Bearer sk-1' \
//	  -d '{"model":"mock-gpt","messages":[{"role":"user","content":"hello"}]}'
//	curl -s -X PUT localhost:9999/mock/faults/sk-1 -d '{"status":429,"retry_after":"2s"}'
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9999", "listen address")
	rpm := flag.Int64("rpm", 0, "requests per minute per key (0: 1,000,000)")
	tpm := flag.Int64("tpm", 0, "tokens per minute per key (0: 1,000,000,000)")
	models := flag.String("models", strings.Join(mockupstream.DefaultModels, ","), "comma-separated model ids for GET /v1/models")
	flag.Parse()

	mock := mockupstream.New(mockupstream.Config{
		RequestsPerMinute: *rpm,
		TokensPerMinute:   *tpm,
		Models:            strings.Split(*models, ","),
	})
	srv := &http.Server{Addr: *addr, Handler: mock, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		mock.Close()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("mockupstream: listening on %s", *addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("mockupstream: %v", err)
	}
}
