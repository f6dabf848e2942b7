package sdk

import (
	"context"
	"errors"
	"io"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// laneServerStream is the plugin's end of a lane: a gRPC Lane stream or
// a connection to its lane socket (socketLaneServer).
type laneServerStream interface {
	Context() context.Context // done when the host cancels the lane
	Send(*adapterpb.LaneReply) error
	Recv() (*adapterpb.LaneCall, error)
}

// Lane serves a lane on a gRPC stream (see [grpcServer.serveLane]).
func (s *grpcServer) Lane(stream adapterpb.Adapter_LaneServer) error {
	return s.serveLane(stream)
}

// serveLane serves the calls a host sends on one lane, one after another,
// until the host closes it (see [lanes], the host's side). A call that
// fails is answered with a Failure and the lane goes on; only a broken
// lane or a host that cancels it ends it.
func (s *grpcServer) serveLane(stream laneServerStream) error {
	for {
		call, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.laneCall(stream, call); err != nil {
			return err
		}
	}
}

// laneCall carries out one call, within its deadline, and sends its answer.
func (s *grpcServer) laneCall(stream laneServerStream, call *adapterpb.LaneCall) error {
	ctx := stream.Context()
	if d := call.GetDeadlineUnixNs(); d != 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, time.Unix(0, d))
		defer cancel()
	}
	switch c := call.GetCall().(type) {
	case *adapterpb.LaneCall_EstimateTokens:
		n, err := s.impl.EstimateTokens(ctx, requestFromPB(c.EstimateTokens))
		if err != nil {
			return stream.Send(failureReply(err, c.EstimateTokens.GetSecret()))
		}
		return stream.Send(&adapterpb.LaneReply{Reply: &adapterpb.LaneReply_Tokens{Tokens: &adapterpb.EstimateTokensResponse{Tokens: n}}})
	case *adapterpb.LaneCall_Do:
		resp, err := s.start(ctx, c.Do)
		if err != nil {
			return stream.Send(failureReply(err, c.Do.GetSecret()))
		}
		return relay(resp, c.Do.GetSecret(), func(f *adapterpb.Frame) error {
			return stream.Send(&adapterpb.LaneReply{Reply: &adapterpb.LaneReply_Frame{Frame: f}})
		})
	}
	return status.Error(codes.InvalidArgument, "a lane call without a call")
}

// failureReply is a failed call's answer: its class and its message, the
// secret redacted.
func failureReply(err error, secret string) *adapterpb.LaneReply {
	return &adapterpb.LaneReply{Reply: &adapterpb.LaneReply_Failure{Failure: &adapterpb.Failure{
		Result: uint32(ClassifyError(err)), Message: Redact(err.Error(), secret)}}}
}
