package sdk

import (
	"context"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// laneAdapter answers Do with do, and EstimateTokens with the body's
// length.
type laneAdapter struct {
	do func(ctx context.Context) (*Response, error)
}

func (a *laneAdapter) Info(context.Context) (Info, error) { return Info{Name: "lanes"}, nil }

func (a *laneAdapter) EstimateTokens(_ context.Context, req *Request) (int64, error) {
	return int64(len(req.Body)), nil
}

func (a *laneAdapter) Do(ctx context.Context, _ *Request) (*Response, error) { return a.do(ctx) }

func (a *laneAdapter) Models(context.Context, *Request) ([]Model, error) { return nil, nil }

// laneTransports are the ways lanes travel: the plugin's lane socket
// (Linux only) and gRPC Lane streams.
func laneTransports(t *testing.T) []string {
	if runtime.GOOS != "linux" {
		return []string{"grpc"}
	}
	return []string{"socket", "grpc"}
}

// grpcLanesOnly is a plugin that has Lane but no LaneSocket.
type grpcLanesOnly struct{ *grpcServer }

func (grpcLanesOnly) LaneSocket(context.Context, *adapterpb.LaneSocketRequest) (*adapterpb.LaneSocketResponse, error) {
	return nil, status.Error(codes.Unimplemented, "no lane socket")
}

// countingRPC counts the gRPC Lane streams a host opens.
type countingRPC struct {
	adapterpb.AdapterClient
	opened *atomic.Int32
}

func (c countingRPC) Lane(ctx context.Context, opts ...grpc.CallOption) (adapterpb.Adapter_LaneClient, error) {
	c.opened.Add(1)
	return c.AdapterClient.Lane(ctx, opts...)
}

// hostOf serves srv over gRPC and returns the host's client for it and
// the count of the gRPC Lane streams the client opens.
func hostOf(t *testing.T, srv adapterpb.AdapterServer) (*grpcClient, *atomic.Int32) {
	t.Helper()
	conn, server := plugin.TestGRPCConn(t, func(s *grpc.Server) { adapterpb.RegisterAdapterServer(s, srv) })
	t.Cleanup(func() {
		_ = conn.Close()
		server.Stop()
	})
	c := newGRPCClient(adapterpb.NewAdapterClient(conn), context.Background())
	overGRPC := new(atomic.Int32)
	c.lanes.rpc = countingRPC{c.lanes.rpc, overGRPC}
	return c, overGRPC
}

// overLanes serves a over gRPC, its lanes on transport, and returns the
// host's client for it and a count of the lanes it opened (which fails
// the test if any went another way).
func overLanes(t *testing.T, a Adapter, transport string) (*grpcClient, func() int32) {
	t.Helper()
	var srv adapterpb.AdapterServer = &grpcServer{impl: a}
	if transport == "grpc" {
		srv = grpcLanesOnly{srv.(*grpcServer)}
	}
	c, overGRPC := hostOf(t, srv)
	var overSocket atomic.Int32
	dial := c.lanes.dial
	c.lanes.dial = func(ctx context.Context, address string) (laneStream, error) {
		overSocket.Add(1)
		return dial(ctx, address)
	}
	return c, func() int32 {
		mine, other := &overSocket, overGRPC
		if transport == "grpc" {
			mine, other = other, mine
		}
		if n := other.Load(); n != 0 {
			t.Errorf("%d lanes opened another way than %s", n, transport)
		}
		return mine.Load()
	}
}

// answer is a whole JSON answer.
func answer(context.Context) (*Response, error) {
	return &Response{Status: 200, Header: map[string][]string{"Content-Type": {"application/json"}},
		Body: NewBody(io.NopCloser(strings.NewReader(`{"ok":true}`)), func() abi.Usage { return abi.Usage{OutputTokens: 2} })}, nil
}

func TestLanesCarryCallsOneAfterAnother(t *testing.T) {
	for _, transport := range laneTransports(t) {
		t.Run(transport, func(t *testing.T) {
			c, opened := overLanes(t, &laneAdapter{do: answer}, transport)
			ctx := t.Context()
			for i := range 3 {
				if n, err := c.EstimateTokens(ctx, &Request{Body: []byte("1234")}); n != 4 || err != nil {
					t.Fatalf("EstimateTokens = %d, %v", n, err)
				}
				resp, err := c.Do(ctx, &Request{})
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if string(body) != `{"ok":true}` || err != nil || resp.Outcome().Usage.OutputTokens != 2 {
					t.Fatalf("call %d: read %q, %v, outcome %+v", i, body, err, resp.Outcome())
				}
			}
			if n := opened(); n != 1 {
				t.Errorf("%d lanes opened for six calls one after another, want 1", n)
			}
		})
	}
}

func TestLaneOfAnAbandonedCallIsClosed(t *testing.T) {
	for _, transport := range laneTransports(t) {
		t.Run(transport, func(t *testing.T) {
			cancelled := make(chan struct{})
			stream := func(ctx context.Context) (*Response, error) {
				r, w := io.Pipe()
				go func() {
					<-ctx.Done()
					close(cancelled)
					_ = w.CloseWithError(ctx.Err())
				}()
				return &Response{Status: 200, Header: map[string][]string{"Content-Type": {"text/event-stream"}}, Body: NewBody(r, nil)}, nil
			}
			a := &laneAdapter{do: stream}
			c, opened := overLanes(t, a, transport)
			resp, err := c.Do(t.Context(), &Request{})
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			select {
			case <-cancelled:
			case <-time.After(10 * time.Second):
				t.Fatal("the plugin's call was not cancelled within 10s of the body's close")
			}
			a.do = answer
			resp, err = c.Do(t.Context(), &Request{})
			if err != nil {
				t.Fatal(err)
			}
			if body, err := io.ReadAll(resp.Body); string(body) != `{"ok":true}` || err != nil {
				t.Fatalf("the next call read %q, %v", body, err)
			}
			if n := opened(); n != 2 {
				t.Errorf("%d lanes opened, want 2: the abandoned call's lane must not be reused", n)
			}
		})
	}
}

func TestLaneCarriesTheDeadline(t *testing.T) {
	for _, transport := range laneTransports(t) {
		t.Run(transport, func(t *testing.T) {
			deadline := make(chan time.Time, 1)
			c, _ := overLanes(t, &laneAdapter{do: func(ctx context.Context) (*Response, error) {
				d, _ := ctx.Deadline()
				deadline <- d
				return answer(ctx)
			}}, transport)
			want := time.Now().Add(time.Hour)
			ctx, cancel := context.WithDeadline(t.Context(), want)
			defer cancel()
			resp, err := c.Do(ctx, &Request{})
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if got := <-deadline; !got.Equal(want) {
				t.Errorf("the plugin's deadline is %v, want %v", got, want)
			}
		})
	}
}

func TestLanesUnderConcurrency(t *testing.T) {
	for _, transport := range laneTransports(t) {
		t.Run(transport, func(t *testing.T) {
			const calls = maxIdleLanes + 6
			var started sync.WaitGroup
			started.Add(calls)
			c, opened := overLanes(t, &laneAdapter{do: func(ctx context.Context) (*Response, error) {
				started.Done()
				started.Wait() // every call in flight at once
				return answer(ctx)
			}}, transport)
			var wg sync.WaitGroup
			errs := make(chan error, calls)
			for range calls {
				wg.Go(func() {
					resp, err := c.Do(t.Context(), &Request{})
					if err == nil {
						_, err = io.ReadAll(resp.Body)
						_ = resp.Body.Close()
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			c.lanes.mu.Lock()
			idle := len(c.lanes.idle)
			c.lanes.mu.Unlock()
			if n := opened(); n != calls || idle != maxIdleLanes {
				t.Errorf("%d lanes opened for %d concurrent calls, %d kept idle; want %d and %d", n, calls, idle, calls, maxIdleLanes)
			}
		})
	}
}

// unaryServer is a plugin from before lanes: EstimateTokens only.
type unaryServer struct {
	adapterpb.UnimplementedAdapterServer
}

func (unaryServer) EstimateTokens(context.Context, *adapterpb.Request) (*adapterpb.EstimateTokensResponse, error) {
	return &adapterpb.EstimateTokensResponse{Tokens: 9}, nil
}

func TestCallsGoUnaryWithoutLanes(t *testing.T) {
	c, _ := hostOf(t, unaryServer{})
	for range 2 {
		if n, err := c.EstimateTokens(t.Context(), &Request{}); n != 9 || err != nil {
			t.Fatalf("EstimateTokens = %d, %v; want 9 from the unary call", n, err)
		}
	}
	if !c.lanes.off.Load() {
		t.Error("lanes still on for a plugin without them")
	}
}

// otherHost is a plugin told that its host is another process.
type otherHost struct{ *grpcServer }

func (s otherHost) LaneSocket(ctx context.Context, _ *adapterpb.LaneSocketRequest) (*adapterpb.LaneSocketResponse, error) {
	return s.grpcServer.LaneSocket(ctx, &adapterpb.LaneSocketRequest{HostPid: int64(os.Getppid())})
}

func TestLaneSocketServesOnlyTheHost(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("lane sockets are Linux's")
	}
	c, overGRPC := hostOf(t, otherHost{&grpcServer{impl: &laneAdapter{do: answer}}})
	if n, err := c.EstimateTokens(t.Context(), &Request{Body: []byte("12")}); n != 2 || err != nil {
		t.Fatalf("EstimateTokens = %d, %v", n, err)
	}
	if c.lanes.socketAddr == "" {
		t.Fatal("the plugin offered no socket")
	}
	if !c.lanes.socketOff.Load() || overGRPC.Load() != 1 {
		t.Errorf("socket off %t, %d gRPC lanes; want the refusing socket off and the call on gRPC", c.lanes.socketOff.Load(), overGRPC.Load())
	}
	if _, err := dialLaneSocket(t.Context(), c.lanes.socketAddr); err == nil {
		t.Error("a process other than the host was let in")
	}
}

func TestLanesFallBackToGRPCWhenTheSocketFails(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("lane sockets are Linux's")
	}
	c, overGRPC := hostOf(t, &grpcServer{impl: &laneAdapter{do: answer}})
	c.lanes.dial = func(context.Context, string) (laneStream, error) { return nil, errors.New("refused") }
	if n, err := c.EstimateTokens(t.Context(), &Request{Body: []byte("123")}); n != 3 || err != nil {
		t.Fatalf("EstimateTokens = %d, %v", n, err)
	}
	if c.lanes.socketAddr == "" || overGRPC.Load() != 1 {
		t.Errorf("socket %q offered, %d gRPC lanes opened; want a socket and 1", c.lanes.socketAddr, overGRPC.Load())
	}
}
