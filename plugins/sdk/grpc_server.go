package sdk

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"sync"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// frameBytes is the most body one data frame carries. The adapter's Body
// decides how much arrives per read; a read never waits to fill a frame.
const frameBytes = 32 << 10

// grpcServer serves an [Adapter] over gRPC: the plugin side of the
// boundary. Errors leave as gRPC statuses with the request's secret
// redacted.
type grpcServer struct {
	adapterpb.UnimplementedAdapterServer
	impl   Adapter
	socket laneSocket
}

func (s *grpcServer) Info(ctx context.Context, _ *adapterpb.InfoRequest) (*adapterpb.InfoResponse, error) {
	info, err := s.impl.Info(ctx)
	if err != nil {
		return nil, statusError(err, "")
	}
	return infoToPB(info), nil
}

func (s *grpcServer) EstimateTokens(ctx context.Context, req *adapterpb.Request) (*adapterpb.EstimateTokensResponse, error) {
	n, err := s.impl.EstimateTokens(ctx, requestFromPB(req))
	if err != nil {
		return nil, statusError(err, req.GetSecret())
	}
	return &adapterpb.EstimateTokensResponse{Tokens: n}, nil
}

func (s *grpcServer) Models(ctx context.Context, req *adapterpb.Request) (*adapterpb.ModelsResponse, error) {
	ms, err := s.impl.Models(ctx, requestFromPB(req))
	if err != nil {
		return nil, statusError(err, req.GetSecret())
	}
	return modelsToPB(ms), nil
}

// Do carries out the call and relays its answer (see [grpcServer.relay]).
func (s *grpcServer) Do(req *adapterpb.Request, stream adapterpb.Adapter_DoServer) error {
	resp, err := s.start(stream.Context(), req)
	if err != nil {
		return statusError(err, req.GetSecret())
	}
	return relay(resp, req.GetSecret(), stream.Send)
}

// start calls the adapter's Do and checks its answer has a body.
func (s *grpcServer) start(ctx context.Context, req *adapterpb.Request) (*Response, error) {
	resp, err := s.impl.Do(ctx, requestFromPB(req))
	switch {
	case err != nil:
		return nil, err
	case resp == nil || resp.Body == nil:
		return nil, errNoBody
	}
	return resp, nil
}

// relay sends each read of resp's body as one frame the moment it returns,
// the first with the head if the answer is JSON (else the head goes alone,
// first); the read that ends the body adds the trailer to its data, so the
// host's Read returns them together too ([streamBody]). It closes the body.
func relay(resp *Response, secret string, send func(*adapterpb.Frame) error) error {
	defer resp.Body.Close()
	head := &adapterpb.Head{
		Status:       int32(resp.Status),
		Header:       headerToPB(resp.Header),
		Result:       uint32(resp.Result),
		RateLimit:    rateLimitToPB(resp.RateLimit),
		RetryAfterNs: int64(resp.RetryAfter),
		WaitedNs:     int64(resp.Waited),
	}
	bufp := frameBuffers.Get().(*[]byte)
	defer frameBuffers.Put(bufp)
	// A JSON answer is whole, or nearly, when its headers arrive: its head
	// waits for the first read, and often the whole answer and its trailer
	// go in one message instead of three. Any other head (a stream's, whose
	// first event may be long in coming) goes at once: the host times an
	// attempt up to the head.
	if !isJSON(resp.Header) {
		if err := send(&adapterpb.Frame{Head: head}); err != nil {
			return err
		}
		head = nil
	}
	for empty := 0; ; {
		n, readErr := resp.Body.Read(*bufp)
		if n == 0 && readErr == nil {
			if empty++; empty == maxEmptyReads {
				readErr = errNoProgress
			}
		} else {
			empty = 0
		}
		frame := &adapterpb.Frame{Head: head}
		if n > 0 {
			// A fresh slice per frame: gRPC may hold a sent message.
			frame.Data = bytes.Clone((*bufp)[:n])
		}
		if readErr != nil {
			frame.Trailer = trailerToPB(resp.Body.Trailer(), readErr, secret)
		}
		if n > 0 || readErr != nil || head != nil {
			if err := send(frame); err != nil {
				return err
			}
			head = nil
		}
		if readErr != nil {
			return nil
		}
	}
}

// isJSON reports whether h says the body is a JSON document.
func isJSON(h http.Header) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "application/json"
}

// maxEmptyReads is how many reads in a row may return nothing before a
// body counts as broken (bufio's limit).
const maxEmptyReads = 100

// errNoProgress ends a body that keeps returning nothing.
var errNoProgress = &Error{Result: abi.ConnectionError, Message: "adapter body: " + io.ErrNoProgress.Error()}

// errNoBody is returned for an adapter's Response without a Body.
var errNoBody = &Error{Result: abi.ConnectionError, Message: "adapter returned a response without a body"}

// frameBuffers recycles the buffers Do reads bodies into.
var frameBuffers = sync.Pool{New: func() any {
	b := make([]byte, frameBytes)
	return &b
}}

// trailerToPB encodes how a body ended: cleanly at io.EOF, or with readErr,
// whose message (secret redacted) travels along. The class is the body's
// trailer's, unless readErr carries its own ([*Error]) or the trailer
// claims a success.
func trailerToPB(t Trailer, readErr error, secret string) *adapterpb.Trailer {
	out := &adapterpb.Trailer{Result: uint32(t.Result), Usage: usageToPB(t.Usage)}
	if readErr == io.EOF {
		return out
	}
	out.Error = Redact(readErr.Error(), secret)
	var classified *Error
	if errors.As(readErr, &classified) || t.Result == abi.Success {
		out.Result = uint32(ClassifyError(readErr))
	}
	return out
}

// Interface guards
var _ adapterpb.AdapterServer = (*grpcServer)(nil)
