// Command load is the benchmarks' load generator (package loadgen) as its
// own process: it POSTs one request body over -conns keep-alive
// connections for -duration and prints what it measured as JSON.
//
//	load -url http://127.0.0.1:8000/v1/chat/completions -H 'Authorization: Bearer sk-1' \
//	  -body-file chat.json -conns 32 -duration 5s
package main

import (
	"encoding/json"
	"flag"
	"log"
	"os"
	"strings"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/bench/internal/loadgen"
)

// headers is a repeatable -H flag.
type headers []string

func (h *headers) String() string     { return strings.Join(*h, "; ") }
func (h *headers) Set(v string) error { *h = append(*h, v); return nil }

func main() {
	var cfg loadgen.Config
	var hs headers
	flag.StringVar(&cfg.URL, "url", "", "the http:// URL to POST to")
	flag.Var(&hs, "H", `a request header "Name: value" (repeatable)`)
	bodyFile := flag.String("body-file", "", "the JSON request body")
	flag.IntVar(&cfg.Conns, "conns", 1, "connections, each with one request in flight")
	flag.DurationVar(&cfg.Duration, "duration", 5*time.Second, "how long to send requests")
	flag.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "bound of one request")
	flag.Parse()
	cfg.Header = hs
	var err error
	if cfg.Body, err = os.ReadFile(*bodyFile); err != nil {
		log.Fatalf("load: -body-file: %v", err)
	}
	res, err := loadgen.Run(cfg)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		log.Fatal(err)
	}
}
