package sdk_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// BenchmarkBoundary measures what the gRPC boundary alone adds to a call,
// with an adapter that answers from memory (a 400-byte body): Do directly,
// Do over gRPC on a local socket, and a unary call (Info) for scale.
//
//	go test -run '^$' -bench BenchmarkBoundary -benchmem ./plugins/sdk
func BenchmarkBoundary(b *testing.B) {
	answer := bytes.Repeat([]byte("x"), 400)
	fake := &fakeAdapter{do: func(context.Context, *sdk.Request) (*sdk.Response, error) {
		return &sdk.Response{Status: 200, Body: sdk.NewBody(io.NopCloser(bytes.NewReader(answer)), nil)}, nil
	}}
	req := &sdk.Request{Endpoint: sdk.EndpointChatCompletions, Body: []byte(`{"model":"m","messages":[{"role":"user","content":"hello"}]}`), Secret: secret}
	do := func(b *testing.B, a sdk.Adapter) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := a.Do(b.Context(), req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	}
	b.Run("do/in-process", func(b *testing.B) { do(b, fake) })
	b.Run("do/grpc", func(b *testing.B) { do(b, overGRPC(b, fake)) })
	b.Run("info/grpc", func(b *testing.B) {
		a := overGRPC(b, fake)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Info(b.Context()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
