// Command run is make bench: it measures apikeyrouter side by side with
// the mock upstream alone and with a bare httputil.ReverseProxy hop, in one
// run on one machine, and the routing core natively and in WebAssembly,
// then writes BENCHMARKS.md.
//
//	go run ./hosts/bench/run                 # everything, ~12 minutes
//	go run ./hosts/bench/run -micro=false    # the load run only
//
// Every target is a process of its own on loopback, and so is the load
// generator (hosts/bench/load). Rounds visit the targets forwards, then
// backwards — A B C, C B A, A B C … — so that drift on a shared machine,
// and any edge of going first or last, hits all of them alike. Each
// target's CPU time is read from /proc/PID/stat (its process tree: an
// adapter plugin counts) around each round, its peak RSS from VmHWM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/apikeyrouter/apikeyrouter/wasm/wasmbuild"
)

// options are the command's flags.
type options struct {
	out, results     string
	rounds           int
	duration, warmup time.Duration
	load, micro      bool
	microCount       int
	microTime        string
}

func main() {
	var o options
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "the report (relative to the repository root)")
	flag.StringVar(&o.results, "results", "hosts/bench/results", "where the plot and the raw benchmark output go (relative to the root)")
	flag.IntVar(&o.rounds, "rounds", 4, "rounds per scenario: each target is measured once per round")
	flag.DurationVar(&o.duration, "duration", 2500*time.Millisecond, "the load of one target in one round")
	flag.DurationVar(&o.warmup, "warmup", time.Second, "the load before a scenario's rounds, per target (not measured)")
	flag.BoolVar(&o.load, "load", true, "run the side-by-side load run")
	flag.BoolVar(&o.micro, "micro", true, "run the core's benchmarks")
	flag.IntVar(&o.microCount, "micro-count", 5, "go test -count of the core's benchmarks (medians are reported)")
	flag.StringVar(&o.microTime, "micro-benchtime", "200ms", "go test -benchtime of the core's benchmarks")
	flag.Parse()
	switch {
	case o.rounds < 1 || o.rounds > 100:
		log.Fatal("run: -rounds must be 1 to 100")
	case o.duration < 100*time.Millisecond || o.duration > 5*time.Minute:
		log.Fatal("run: -duration must be 100ms to 5m")
	case o.warmup < 0 || o.warmup > time.Minute:
		log.Fatal("run: -warmup must be 0 to 1m")
	case o.microCount < 1 || o.microCount > 50:
		log.Fatal("run: -micro-count must be 1 to 50")
	}
	log.SetFlags(log.Ltime)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, o options) error {
	root, err := repoRoot(ctx)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "apikeyrouter-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	rep := &report{opts: o, args: os.Args[1:], started: time.Now(), machine: machineFacts(ctx)}
	if o.load {
		bins := filepath.Join(work, "bin")
		if err := build(ctx, root, bins); err != nil {
			return err
		}
		if rep.load, err = runLoad(ctx, o, bins, work); err != nil {
			return err
		}
	}
	if o.micro {
		if rep.micro, err = runMicro(ctx, root, o); err != nil {
			return err
		}
	}
	rep.loadAvgEnd = loadAvg()
	rep.took = time.Since(rep.started)
	return rep.write(root)
}

// repoRoot returns the module's root directory.
func repoRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run: not inside the apikeyrouter module")
	}
	return filepath.Dir(mod), nil
}

// builds are the binaries the load run needs, built as make build does.
var builds = []struct {
	out, pkg string
	wasm     bool
}{
	{"apikeyrouter", "./hosts/apikeyrouter", false},
	{"apikeyrouter-openai", "./plugins/openai/cmd/apikeyrouter-openai", false},
	{"apikeyrouter-anthropic", "./plugins/anthropic/cmd/apikeyrouter-anthropic", false},
	{"apikeyrouter-core.wasm", "./wasm", true},
	{"mockupstream", "./hosts/mockupstream/cmd/mockupstream", false},
	{"mockanthropic", "./hosts/bench/mockanthropic", false},
	{"barehop", "./hosts/bench/barehop", false},
	{"load", "./hosts/bench/load", false},
}

// build builds the binaries from the tree at root into dir.
func build(ctx context.Context, root, dir string) error {
	log.Printf("building into %s", dir)
	for _, b := range builds {
		if b.wasm { // as make wasm builds it
			if _, _, err := wasmbuild.Build(dir, b.out); err != nil {
				return err
			}
			continue
		}
		args := []string{"build", "-trimpath", "-o", filepath.Join(dir, b.out)}
		cmd := exec.CommandContext(ctx, "go", append(args, b.pkg)...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}
	return nil
}
