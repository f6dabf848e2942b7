package sdk

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// scriptedServer answers Do with a fixed list of frames, as a plugin written
// in another language might.
type scriptedServer struct {
	adapterpb.UnimplementedAdapterServer
	frames []*adapterpb.Frame
}

func (s *scriptedServer) Do(_ *adapterpb.Request, stream adapterpb.Adapter_DoServer) error {
	for _, f := range s.frames {
		if err := stream.Send(f); err != nil {
			return err
		}
	}
	return nil
}

func TestClientReadsAnyFraming(t *testing.T) {
	head := &adapterpb.Head{Status: 200}
	ok := &adapterpb.Trailer{Usage: &adapterpb.Usage{OutputTokens: 3}}
	for _, tc := range []struct {
		name     string
		frames   []*adapterpb.Frame
		doErr    bool
		body     string
		readErr  bool
		result   abi.Result
		usageOut abi.Tokens
	}{
		{name: "one frame", frames: []*adapterpb.Frame{{Head: head, Data: []byte("abc"), Trailer: ok}}, body: "abc", usageOut: 3},
		{name: "head with data", frames: []*adapterpb.Frame{{Head: head, Data: []byte("ab")}, {Data: []byte("c"), Trailer: ok}}, body: "abc", usageOut: 3},
		{name: "separate frames", frames: []*adapterpb.Frame{{Head: head}, {Data: []byte("a")}, {Data: []byte("bc")}, {Trailer: ok}}, body: "abc", usageOut: 3},
		{name: "no frames", frames: nil, doErr: true, result: abi.ConnectionError},
		{name: "no head", frames: []*adapterpb.Frame{{Data: []byte("a")}}, doErr: true, result: abi.ConnectionError},
		{name: "no trailer", frames: []*adapterpb.Frame{{Head: head}, {Data: []byte("a")}}, body: "a", readErr: true, result: abi.ConnectionError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, server := plugin.TestGRPCConn(t, func(s *grpc.Server) {
				adapterpb.RegisterAdapterServer(s, &scriptedServer{frames: tc.frames})
			})
			t.Cleanup(func() {
				_ = conn.Close()
				server.Stop()
			})
			c := &grpcClient{rpc: adapterpb.NewAdapterClient(conn), exited: context.Background()}
			resp, err := c.Do(t.Context(), &Request{})
			if tc.doErr {
				if ClassifyError(err) != tc.result {
					t.Fatalf("Do = %v; want an error of class %s", err, tc.result)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if string(body) != tc.body || (err != nil) != tc.readErr {
				t.Errorf("read %q, %v; want %q (error: %v)", body, err, tc.body, tc.readErr)
			}
			if out := resp.Outcome(); out.Result != tc.result || out.Usage.OutputTokens != tc.usageOut {
				t.Errorf("Outcome = %+v; want result %s, output tokens %d", out, tc.result, tc.usageOut)
			}
		})
	}
}

// stuckBody never yields a byte, nor an error.
type stuckBody struct{}

func (stuckBody) Read([]byte) (int, error) { return 0, nil }
func (stuckBody) Close() error             { return nil }

func TestServerRefusesBrokenAdapters(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		resp       *Response
	}{
		{"no body", "without a body", &Response{Status: 200}},
		{"no progress", "no data or error", &Response{Status: 200, Body: NewBody(stuckBody{}, nil)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, server := plugin.TestGRPCConn(t, func(s *grpc.Server) {
				adapterpb.RegisterAdapterServer(s, &grpcServer{impl: doFunc(func() *Response { return tc.resp })})
			})
			t.Cleanup(func() {
				_ = conn.Close()
				server.Stop()
			})
			c := &grpcClient{rpc: adapterpb.NewAdapterClient(conn), exited: context.Background()}
			resp, err := c.Do(t.Context(), &Request{})
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				_ = resp.Body.Close()
			}
			if ClassifyError(err) != abi.ConnectionError || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want a connection error saying %q", err, tc.want)
			}
		})
	}
}

// doFunc is an Adapter whose Do returns what f gives; its other methods
// are unused here.
type doFunc func() *Response

func (f doFunc) Info(context.Context) (Info, error)                      { return Info{}, nil }
func (f doFunc) EstimateTokens(context.Context, *Request) (int64, error) { return 0, nil }
func (f doFunc) Models(context.Context, *Request) ([]Model, error)       { return nil, nil }
func (f doFunc) Do(context.Context, *Request) (*Response, error)         { return f(), nil }
