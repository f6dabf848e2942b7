package sdk

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// TestCallsBrokenByThePluginsExitAreCancelled: a stream whose plugin dies
// under it ends as abi.Cancelled, so that the host blames no key for it,
// whether the host sees the broken connection before or after the exit;
// a connection that breaks while the plugin lives is a connection error,
// as before. On gRPC lanes and unary calls alike (the lane socket's case
// is TestPluginCrashMidStream's, with a real process).
func TestCallsBrokenByThePluginsExitAreCancelled(t *testing.T) {
	stream := func(ctx context.Context) (*Response, error) {
		r, w := io.Pipe()
		go func() {
			_, _ = w.Write([]byte("data: 1\n\n"))
			<-ctx.Done()
			_ = w.CloseWithError(ctx.Err())
		}()
		return &Response{Status: 200, Header: map[string][]string{"Content-Type": {"text/event-stream"}}, Body: NewBody(r, nil)}, nil
	}
	for _, transport := range []string{"lanes", "unary"} {
		for _, died := range []bool{true, false} {
			name := transport + "/plugin alive"
			if died {
				name = transport + "/plugin died"
			}
			t.Run(name, func(t *testing.T) {
				var srv adapterpb.AdapterServer = grpcLanesOnly{&grpcServer{impl: &laneAdapter{do: stream}}}
				if transport == "unary" {
					srv = unaryOnly{&grpcServer{impl: &laneAdapter{do: stream}}}
				}
				conn, server := plugin.TestGRPCConn(t, func(s *grpc.Server) { adapterpb.RegisterAdapterServer(s, srv) })
				t.Cleanup(func() { _ = conn.Close() })
				exited, exit := context.WithCancel(context.Background())
				defer exit()
				c := newGRPCClient(adapterpb.NewAdapterClient(conn), exited)

				resp, err := c.Do(t.Context(), &Request{})
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				first := make([]byte, 64)
				if n, err := resp.Body.Read(first); n == 0 || err != nil {
					t.Fatalf("first event: %d bytes, %v", n, err)
				}
				// The plugin's end of the connection goes, then (as the kernel
				// closes a dead process's sockets before its parent reaps it)
				// the host learns of its exit, while the body is being read.
				server.Stop()
				if died {
					go exit()
				}
				_, err = io.ReadAll(resp.Body)
				want := abi.ConnectionError
				if died {
					want = abi.Cancelled
				}
				var e *Error
				if !errors.As(err, &e) || e.Result != want {
					t.Fatalf("the body ended with %v (%T), want an *Error of result %s", err, err, want)
				}
				if got := resp.Outcome().Result; got != want {
					t.Errorf("outcome result %s, want %s", got, want)
				}
			})
		}
	}
}
