package openai_test

import (
	"io"
	"os"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// BenchmarkDo measures one call through the adapter against the mock
// upstream on loopback: in-process, over gRPC on a local socket (client and
// server in this process, so allocations on both sides count), and through
// the real plugin subprocess (allocations of the host side only).
//
//	go test -run '^$' -bench BenchmarkDo -benchmem ./plugins/openai
//
// By default the mock runs inside the benchmark's process, which flatters
// the in-process modes (no process switch to reach the upstream). For a fair
// comparison, run the mock as its own process and point the benchmark at it:
//
//	go run ./hosts/mockupstream/cmd/mockupstream -addr 127.0.0.1:9999 &
//	APIKEYROUTER_BENCH_UPSTREAM=http://127.0.0.1:9999/v1 go test -run '^$' -bench BenchmarkDo -benchmem ./plugins/openai
func BenchmarkDo(b *testing.B) {
	for _, m := range adapterModes {
		for _, stream := range []bool{false, true} {
			name := m.name + "/json"
			if stream {
				name = m.name + "/stream"
			}
			b.Run(name, func(b *testing.B) {
				base := os.Getenv("APIKEYROUTER_BENCH_UPSTREAM")
				if base == "" {
					_, base = startMock(b)
				}
				a := m.start(b)
				req := &sdk.Request{Endpoint: sdk.EndpointChatCompletions, Body: chatBody("Say hello to the benchmark.", stream), BaseURL: base, Secret: "sk-bench"}
				b.ReportAllocs()
				for b.Loop() {
					resp, err := a.Do(b.Context(), req)
					if err != nil {
						b.Fatal(err)
					}
					_, err = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					if out := resp.Outcome(); err != nil || out.Result != abi.Success || out.Usage.OutputTokens == 0 {
						b.Fatalf("%v %+v", err, out)
					}
				}
			})
		}
	}
}
