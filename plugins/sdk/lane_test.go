package sdk

import (
	"context"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

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

// countingServer is the plugin side, counting the lanes opened to it.
type countingServer struct {
	*grpcServer
	opened atomic.Int32
}

func (s *countingServer) Lane(stream adapterpb.Adapter_LaneServer) error {
	s.opened.Add(1)
	return s.grpcServer.Lane(stream)
}

// overLanes serves a over gRPC and returns the host's client for it and
// the server, which counts lanes.
func overLanes(t *testing.T, a Adapter) (*grpcClient, *countingServer) {
	t.Helper()
	srv := &countingServer{grpcServer: &grpcServer{impl: a}}
	conn, server := plugin.TestGRPCConn(t, func(s *grpc.Server) { adapterpb.RegisterAdapterServer(s, srv) })
	t.Cleanup(func() {
		_ = conn.Close()
		server.Stop()
	})
	return newGRPCClient(adapterpb.NewAdapterClient(conn), context.Background()), srv
}

// answer is a whole JSON answer.
func answer(context.Context) (*Response, error) {
	return &Response{Status: 200, Header: map[string][]string{"Content-Type": {"application/json"}},
		Body: NewBody(io.NopCloser(strings.NewReader(`{"ok":true}`)), func() abi.Usage { return abi.Usage{OutputTokens: 2} })}, nil
}

func TestLanesCarryCallsOneAfterAnother(t *testing.T) {
	c, srv := overLanes(t, &laneAdapter{do: answer})
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
	if n := srv.opened.Load(); n != 1 {
		t.Errorf("%d lanes opened for six calls one after another, want 1", n)
	}
}

func TestLaneOfAnAbandonedCallIsClosed(t *testing.T) {
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
	c, srv := overLanes(t, a)
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
	if n := srv.opened.Load(); n != 2 {
		t.Errorf("%d lanes opened, want 2: the abandoned call's lane must not be reused", n)
	}
}

func TestLaneCarriesTheDeadline(t *testing.T) {
	deadline := make(chan time.Time, 1)
	c, _ := overLanes(t, &laneAdapter{do: func(ctx context.Context) (*Response, error) {
		d, _ := ctx.Deadline()
		deadline <- d
		return answer(ctx)
	}})
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
}

func TestLanesUnderConcurrency(t *testing.T) {
	const calls = maxIdleLanes + 6
	var started sync.WaitGroup
	started.Add(calls)
	c, srv := overLanes(t, &laneAdapter{do: func(ctx context.Context) (*Response, error) {
		started.Done()
		started.Wait() // every call in flight at once
		return answer(ctx)
	}})
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
	if n := srv.opened.Load(); n != calls || idle != maxIdleLanes {
		t.Errorf("%d lanes opened for %d concurrent calls, %d kept idle; want %d and %d", n, calls, idle, calls, maxIdleLanes)
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
	conn, server := plugin.TestGRPCConn(t, func(s *grpc.Server) { adapterpb.RegisterAdapterServer(s, unaryServer{}) })
	t.Cleanup(func() {
		_ = conn.Close()
		server.Stop()
	})
	c := newGRPCClient(adapterpb.NewAdapterClient(conn), context.Background())
	for range 2 {
		if n, err := c.EstimateTokens(t.Context(), &Request{}); n != 9 || err != nil {
			t.Fatalf("EstimateTokens = %d, %v; want 9 from the unary call", n, err)
		}
	}
	if !c.lanes.off.Load() {
		t.Error("lanes still on for a plugin without them")
	}
}
