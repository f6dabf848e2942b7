package sdk

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

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
		// A head no HTTP answer could have: net/http panics on status 0,
		// and would send 999 on to the client. 256 is no result (it must
		// not read as success, its low 8 bits).
		{name: "status 0", frames: []*adapterpb.Frame{{Head: &adapterpb.Head{}, Trailer: ok}}, doErr: true, result: abi.ConnectionError},
		{name: "status 99", frames: []*adapterpb.Frame{{Head: &adapterpb.Head{Status: 99}, Trailer: ok}}, doErr: true, result: abi.ConnectionError},
		{name: "status 600", frames: []*adapterpb.Frame{{Head: &adapterpb.Head{Status: 600}, Trailer: ok}}, doErr: true, result: abi.ConnectionError},
		{name: "status 999", frames: []*adapterpb.Frame{{Head: &adapterpb.Head{Status: 999}, Trailer: ok}}, doErr: true, result: abi.ConnectionError},
		{name: "status -200", frames: []*adapterpb.Frame{{Head: &adapterpb.Head{Status: -200}, Trailer: ok}}, doErr: true, result: abi.ConnectionError},
		{name: "head result 256", frames: []*adapterpb.Frame{{Head: &adapterpb.Head{Status: 200, Result: 256}, Trailer: ok}}, doErr: true, result: abi.ConnectionError},
		{name: "head result 9", frames: []*adapterpb.Frame{{Head: &adapterpb.Head{Status: 200, Result: uint32(abi.Cancelled) + 1}, Trailer: ok}}, doErr: true, result: abi.ConnectionError},
		{name: "trailer result 256", frames: []*adapterpb.Frame{{Head: head, Data: []byte("a"), Trailer: &adapterpb.Trailer{Result: 256}}},
			body: "a", readErr: true, result: abi.ConnectionError},
		{name: "status 100", frames: []*adapterpb.Frame{{Head: &adapterpb.Head{Status: 100}, Data: []byte("a"), Trailer: ok}}, body: "a", usageOut: 3},
		{name: "status 599", frames: []*adapterpb.Frame{{Head: &adapterpb.Head{Status: 599, Result: uint32(abi.ServerError)}, Data: []byte("a"), Trailer: ok}},
			body: "a", result: abi.ServerError, usageOut: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, server := plugin.TestGRPCConn(t, func(s *grpc.Server) {
				adapterpb.RegisterAdapterServer(s, &scriptedServer{frames: tc.frames})
			})
			t.Cleanup(func() {
				_ = conn.Close()
				server.Stop()
			})
			c := newGRPCClient(adapterpb.NewAdapterClient(conn), context.Background())
			resp, err := c.Do(t.Context(), &Request{})
			if tc.doErr {
				if ClassifyError(err) != tc.result || (tc.frames != nil && !strings.Contains(err.Error(), "broke the protocol")) {
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
			c := newGRPCClient(adapterpb.NewAdapterClient(conn), context.Background())
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

// framesStream records the frames a server sends.
type framesStream struct {
	grpc.ServerStream
	ctx    context.Context
	frames []*adapterpb.Frame
}

func (f *framesStream) Context() context.Context { return f.ctx }

func (f *framesStream) Send(fr *adapterpb.Frame) error {
	f.frames = append(f.frames, fr)
	return nil
}

// oneAdapter answers Do with a fixed response.
type oneAdapter struct {
	Adapter
	resp func() *Response
}

func (a oneAdapter) Do(context.Context, *Request) (*Response, error) { return a.resp(), nil }

// TestServerFraming: a JSON answer's head waits for the first read, so a
// whole answer crosses in one frame; a stream's head crosses alone, first.
func TestServerFraming(t *testing.T) {
	for _, tc := range []struct {
		contentType string
		frames      int
		headAlone   bool
	}{
		{"application/json; charset=utf-8", 1, false},
		{"text/event-stream", 2, true},
		{"", 2, true},
	} {
		body := `{"id":"x"}`
		s := &grpcServer{impl: oneAdapter{resp: func() *Response {
			return &Response{Status: 200, Header: http.Header{"Content-Type": {tc.contentType}},
				Body: NewBody(io.NopCloser(iotest.DataErrReader(strings.NewReader(body))), nil)}
		}}}
		st := &framesStream{ctx: t.Context()}
		if err := s.Do(&adapterpb.Request{}, st); err != nil {
			t.Fatal(err)
		}
		f := st.frames
		if len(f) != tc.frames || f[0].GetHead() == nil || (len(f[0].GetData()) == 0) != tc.headAlone ||
			f[len(f)-1].GetTrailer() == nil || string(f[len(f)-1].GetData()) != body {
			t.Errorf("%q: frames %v", tc.contentType, f)
		}
	}
}

// TestClientReadsTheEndWithItsData: the data of the frame that carries the
// trailer comes in the same Read as the end (its last piece, if the
// caller's buffer is smaller), whatever the framing before it.
func TestClientReadsTheEndWithItsData(t *testing.T) {
	head := &adapterpb.Head{Status: 200}
	broke := &adapterpb.Trailer{Result: uint32(abi.ServerError), Error: "broke"}
	for _, tc := range []struct {
		name   string
		frames []*adapterpb.Frame
		want   []string // each Read's data and error, for a 3-byte buffer
	}{
		{"failure", []*adapterpb.Frame{{Head: head}, {Data: []byte("ab")}, {Data: []byte("cdef"), Trailer: broke}},
			[]string{`"ab" <nil>`, `"cde" <nil>`, `"f" broke`}},
		{"clean end", []*adapterpb.Frame{{Head: head, Data: []byte("ab")}, {Data: []byte("c"), Trailer: &adapterpb.Trailer{}}},
			[]string{`"ab" <nil>`, `"c" EOF`}},
		{"one frame", []*adapterpb.Frame{{Head: head, Data: []byte("abc"), Trailer: broke}}, []string{`"abc" broke`}},
		{"trailer alone", []*adapterpb.Frame{{Head: head, Data: []byte("ab")}, {Trailer: broke}}, []string{`"ab" <nil>`, `"" broke`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, server := plugin.TestGRPCConn(t, func(s *grpc.Server) {
				adapterpb.RegisterAdapterServer(s, &scriptedServer{frames: tc.frames})
			})
			t.Cleanup(func() {
				_ = conn.Close()
				server.Stop()
			})
			resp, err := newGRPCClient(adapterpb.NewAdapterClient(conn), context.Background()).Do(t.Context(), &Request{})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			buf := make([]byte, 3)
			for i, want := range tc.want {
				n, err := resp.Body.Read(buf)
				if got := fmt.Sprintf("%q %v", buf[:n], err); got != want {
					t.Fatalf("Read %d = %s; want %s", i, got, want)
				}
			}
		})
	}
}
