package openai_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/sdktest"
)

// statusZero is the OpenAI adapter answering with a status no HTTP answer
// has, as a broken adapter might.
type statusZero struct{ sdk.Adapter }

func (a statusZero) Do(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	resp, err := a.Adapter.Do(ctx, req)
	if resp != nil {
		resp.Status = 0
	}
	return resp, err
}

// TestConformanceKitCatchesImpossibleAnswers runs the kit, in a process of
// its own, against an adapter answering status 0: it must fail, naming the
// status the host would refuse.
func TestConformanceKitCatchesImpossibleAnswers(t *testing.T) {
	if os.Getenv("AKR_SDKTEST_BROKEN") != "" {
		sdktest.Run(t, sdktest.Config{
			New:       func(logger hclog.Logger) sdk.Adapter { return statusZero{openai.New(openai.Config{Logger: logger})} },
			Cassettes: "testdata/cassettes",
		})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestConformanceKitCatchesImpossibleAnswers$")
	cmd.Env = append(os.Environ(), "AKR_SDKTEST_BROKEN=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "an answer's status is 100..599") {
		t.Fatalf("the kit passed an adapter answering status 0 (%v):\n%s", err, out)
	}
}
