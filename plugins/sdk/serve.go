package sdk

import (
	"os"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// hostCheckInterval is how often a serving plugin checks that its host is
// still alive.
const hostCheckInterval = time.Second

// Serve serves impl as an adapter plugin (see [ServeConfig]) until the host
// stops it, and exits on its own when the host process is gone: a host
// killed with SIGKILL cannot stop its plugins, and they must not linger.
// It is what a plugin's main calls:
//
//	func main() {
//		logger := hclog.New(&hclog.LoggerOptions{Output: os.Stderr, JSONFormat: true})
//		sdk.Serve(myadapter.New(logger), logger)
//	}
func Serve(impl Adapter, logger hclog.Logger) {
	go func() {
		ticker := time.NewTicker(hostCheckInterval)
		defer ticker.Stop()
		waitForOrphaning(os.Getppid, ticker.C)
		if logger != nil {
			logger.Warn("the host process is gone; exiting")
		}
		os.Exit(1)
	}()
	plugin.Serve(ServeConfig(impl, logger))
}

// waitForOrphaning returns once getppid, asked at every tick, no longer
// gives the parent it gave first: the parent died and the process was
// re-parented (to init or a subreaper).
func waitForOrphaning(getppid func() int, tick <-chan time.Time) {
	parent := getppid()
	for range tick {
		if getppid() != parent {
			return
		}
	}
}
