// Command apikeyrouter is the standalone ApiKeyRouter proxy: an
// OpenAI-compatible endpoint that pools provider API keys and routes every
// request to the best one.
//
// Usage:
//
//	apikeyrouter [serve]          start the proxy (the default)
//	apikeyrouter rotate-master-key
//	                              re-wrap the stored secrets' data key under
//	                              APIKEYROUTER_NEW_ENCRYPTION_KEY
//	apikeyrouter version          print the versions
//
// Configuration comes from the environment and APIKEYROUTER_CONFIG (see
// README.md).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

func main() {
	cmd := "serve"
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, os.Environ())
	case "rotate-master-key":
		err = rotateMasterKey(os.Environ())
	case "version":
		fmt.Printf("apikeyrouter core %s, ABI v%d\n", core.Release, abi.Version)
	case "-h", "--help", "help":
		fmt.Println("usage: apikeyrouter [serve | rotate-master-key | version]; configuration: see README.md")
	default:
		err = fmt.Errorf("unknown command %q (want serve, rotate-master-key or version)", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apikeyrouter:", err)
		os.Exit(1)
	}
}
