package sdk

import (
	"context"
	"io"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// unaryOnly is a plugin served by this SDK but without lanes, as one from
// before them: its calls go unary.
type unaryOnly struct{ *grpcServer }

func (unaryOnly) Lane(adapterpb.Adapter_LaneServer) error {
	return status.Error(codes.Unimplemented, "no lanes")
}

func (unaryOnly) LaneSocket(context.Context, *adapterpb.LaneSocketRequest) (*adapterpb.LaneSocketResponse, error) {
	return nil, status.Error(codes.Unimplemented, "no lanes")
}

// TestHostRefusesWhatNoHTTPAnswerHas: an adapter's answer with a status
// net/http cannot send (0 panics the host's handler, 999 would reach the
// client), or a failure whose class is success or unknown, reaches the
// host as the plugin breaking the protocol — a connection error, so the
// host fails over — on lanes and unary calls alike.
func TestHostRefusesWhatNoHTTPAnswerHas(t *testing.T) {
	status := func(code int) func(context.Context) (*Response, error) {
		return func(context.Context) (*Response, error) {
			return &Response{Status: code, Body: NewBody(io.NopCloser(strings.NewReader("{}")), nil)}, nil
		}
	}
	fail := func(r abi.Result) func(context.Context) (*Response, error) {
		return func(context.Context) (*Response, error) { return nil, &Error{Result: r, Message: "odd"} }
	}
	cases := []struct {
		name string
		do   func(context.Context) (*Response, error)
		want string
	}{
		{"status 0", status(0), "status 0"},
		{"status 999", status(999), "status 999"},
		{"failure of class 200", fail(200), "result 200"},
		{"failure of class success", fail(abi.Success), "result 0"},
	}
	for _, transport := range append(laneTransports(t), "unary") {
		t.Run(transport, func(t *testing.T) {
			for _, tc := range cases {
				a := &laneAdapter{do: tc.do}
				var c *grpcClient
				if transport == "unary" {
					c, _ = hostOf(t, unaryOnly{&grpcServer{impl: a}})
				} else {
					c, _ = overLanes(t, a, transport)
				}
				resp, err := c.Do(t.Context(), &Request{})
				if err == nil {
					resp.Body.Close()
				}
				// Over unary calls a failure crosses as a gRPC code, which
				// has no room for an unknown class: only its class is checked.
				named := transport != "unary" || strings.HasPrefix(tc.name, "status")
				if ClassifyError(err) != abi.ConnectionError || (named && !strings.Contains(err.Error(), tc.want)) {
					t.Errorf("%s: Do = %v; want a connection error naming %q", tc.name, err, tc.want)
				}
				if transport == "unary" && !c.lanes.off.Load() {
					t.Errorf("%s: the call went on a lane", tc.name)
				}
			}
		})
	}
}
