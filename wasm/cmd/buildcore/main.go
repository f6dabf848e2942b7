// Command buildcore builds the core's WebAssembly module as it ships (see
// package wasmbuild): `make wasm` runs
//
//	go run ./wasm/cmd/buildcore -o bin/apikeyrouter-core.wasm
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/wasm/wasmbuild"
)

func main() {
	out := flag.String("o", "bin/apikeyrouter-core.wasm", "where to write the module")
	tags := flag.String("tags", "", "comma-separated build tags")
	flag.Parse()
	var tagList []string
	if *tags != "" {
		tagList = strings.Split(*tags, ",")
	}
	path, stats, err := wasmbuild.Build(filepath.Dir(*out), filepath.Base(*out), tagList...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "buildcore:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d jumps and %d function entries threaded\n", path, stats.Jumps, stats.Entries)
}
