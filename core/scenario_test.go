package core_test

import (
	"flag"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/internal/coretest"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/scenarios with the actual output")

// TestScenarios runs the data-driven scenarios in testdata/scenarios on the
// native core. Review every diff -rewrite makes before committing it.
func TestScenarios(t *testing.T) {
	coretest.RunScenarios(t, "../testdata/scenarios", func(*testing.T) coretest.Core { return coretest.NewNative() }, *rewrite)
}
