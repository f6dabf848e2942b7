package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// errPluginExited is the cancellation cause of calls in flight when the
// plugin process exits.
var errPluginExited = errors.New("adapter plugin exited")

// exitedError is the error of a call the plugin's exit broke: the call is
// [abi.Cancelled], as the host abandons it, so that the key it was made
// with is not blamed for its plugin's death.
func exitedError() *Error { return &Error{Result: abi.Cancelled, Message: errPluginExited.Error()} }

// exitGrace is how long a call whose connection to its plugin broke waits
// to learn whether the plugin died: the kernel closes a dead process's
// sockets before its parent has reaped it, so the broken connection is
// often seen first.
const exitGrace = 250 * time.Millisecond

// diedWithin reports whether exited is done, waiting for it up to
// exitGrace.
func diedWithin(exited context.Context) bool {
	if exited.Err() != nil {
		return true
	}
	t := time.NewTimer(exitGrace)
	defer t.Stop()
	select {
	case <-exited.Done():
		return true
	case <-t.C:
		return false
	}
}

// grpcClient is an [Adapter] served by a plugin over gRPC: the host side of
// the boundary. Every error it returns is an [*Error].
type grpcClient struct {
	rpc adapterpb.AdapterClient
	// exited is done once the plugin process has exited (go-plugin cancels
	// it); calls in flight then fail at once instead of waiting on a socket.
	exited context.Context
	// lanes carry EstimateTokens and Do when the plugin has them.
	lanes *lanes
}

func newGRPCClient(rpc adapterpb.AdapterClient, exited context.Context) *grpcClient {
	return &grpcClient{rpc: rpc, exited: exited, lanes: newLanes(rpc, exited)}
}

func (c *grpcClient) Info(ctx context.Context) (Info, error) {
	ctx, cancel := c.bind(ctx)
	defer cancel(nil)
	r, err := c.rpc.Info(ctx, &adapterpb.InfoRequest{})
	if err != nil {
		return Info{}, callError(c.exited, ctx, err)
	}
	return infoFromPB(r), nil
}

func (c *grpcClient) EstimateTokens(ctx context.Context, req *Request) (int64, error) {
	lc, reply, err := c.lanes.start(ctx, &adapterpb.LaneCall{Call: &adapterpb.LaneCall_EstimateTokens{EstimateTokens: requestToPB(req)}})
	if !errors.Is(err, errNoLane) {
		if err != nil {
			return 0, err
		}
		switch r := reply.GetReply().(type) {
		case *adapterpb.LaneReply_Tokens:
			lc.done(true)
			return r.Tokens.GetTokens(), nil
		case *adapterpb.LaneReply_Failure:
			lc.done(true)
			return 0, failure(r.Failure)
		}
		lc.done(false)
		return 0, &Error{Result: abi.ConnectionError, Message: "adapter plugin broke the protocol: an estimate's reply is neither tokens nor a failure"}
	}
	ctx, cancel := c.bind(ctx)
	defer cancel(nil)
	r, err := c.rpc.EstimateTokens(ctx, requestToPB(req))
	if err != nil {
		return 0, callError(c.exited, ctx, err)
	}
	return r.GetTokens(), nil
}

func (c *grpcClient) Models(ctx context.Context, req *Request) ([]Model, error) {
	ctx, cancel := c.bind(ctx)
	defer cancel(nil)
	r, err := c.rpc.Models(ctx, requestToPB(req))
	if err != nil {
		return nil, callError(c.exited, ctx, err)
	}
	return modelsFromPB(r), nil
}

// Do starts the call and waits for its head frame; the body's frames are
// then read on demand by [streamBody]. The call goes on a lane if the
// plugin has them.
func (c *grpcClient) Do(ctx context.Context, req *Request) (*Response, error) {
	lc, reply, err := c.lanes.start(ctx, &adapterpb.LaneCall{Call: &adapterpb.LaneCall_Do{Do: requestToPB(req)}})
	if errors.Is(err, errNoLane) {
		return c.doUnary(ctx, req)
	}
	if err != nil {
		return nil, err
	}
	switch r := reply.GetReply().(type) {
	case *adapterpb.LaneReply_Failure:
		lc.done(true)
		return nil, failure(r.Failure)
	case *adapterpb.LaneReply_Frame:
		return response(r.Frame, &streamBody{next: lc.next, fail: lc.error, release: lc.done})
	}
	lc.done(false)
	return nil, &Error{Result: abi.ConnectionError, Message: "adapter plugin broke the protocol: a call's first reply is neither a frame nor a failure"}
}

// doUnary is Do on its own stream, for plugins without lanes.
func (c *grpcClient) doUnary(ctx context.Context, req *Request) (*Response, error) {
	ctx, cancel := c.bind(ctx)
	stream, err := c.rpc.Do(ctx, requestToPB(req))
	if err != nil {
		defer cancel(nil)
		return nil, callError(c.exited, ctx, err)
	}
	first, err := stream.Recv()
	if err != nil {
		defer cancel(nil)
		if err == io.EOF {
			return nil, &Error{Result: abi.ConnectionError, Message: "adapter plugin broke the protocol: no head frame"}
		}
		return nil, callError(c.exited, ctx, err)
	}
	return response(first, &streamBody{
		next:    stream.Recv,
		fail:    func(err error) *Error { return callError(c.exited, ctx, err) },
		release: func(bool) { cancel(nil) },
	})
}

// response is the answer whose first frame is first and whose body is the
// rest of the call's frames; without a head, or with a head no HTTP
// answer could have (a status outside 100..599, an unknown result), the
// call is released and the plugin named as broken.
func response(first *adapterpb.Frame, body *streamBody) (*Response, error) {
	head := first.GetHead()
	if head == nil {
		body.release(false)
		return nil, &Error{Result: abi.ConnectionError, Message: "adapter plugin broke the protocol: first frame is not a head"}
	}
	result, ok := resultFromPB(head.GetResult())
	if status := head.GetStatus(); status < 100 || status > 599 || !ok {
		body.release(false)
		msg := fmt.Sprintf("adapter plugin broke the protocol: status %d", status)
		if !ok {
			msg = fmt.Sprintf("adapter plugin broke the protocol: result %d", head.GetResult())
		}
		return nil, &Error{Result: abi.ConnectionError, Message: msg}
	}
	body.take(first) // the head's frame may carry data and the trailer too
	return &Response{
		Status:     int(head.GetStatus()),
		Header:     headerFromPB(head.GetHeader()),
		Result:     result,
		RateLimit:  rateLimitFromPB(head.GetRateLimit()),
		RetryAfter: abi.Duration(head.GetRetryAfterNs()),
		Waited:     time.Duration(head.GetWaitedNs()),
		Body:       body,
	}, nil
}

// bind derives a call's context from ctx that is also cancelled, with cause
// [errPluginExited], when the plugin exits. Call the returned func when done.
func (c *grpcClient) bind(ctx context.Context) (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(c.exited, func() { cancel(errPluginExited) })
	return ctx, func(cause error) {
		stop()
		cancel(cause)
	}
}

// callError turns an RPC's error into an [*Error], naming a plugin exit as
// such ([exitedError]): one that cancelled the call, or a connection gone
// unavailable while exited (done when the plugin has exited) shows it
// within [exitGrace].
func callError(exited, ctx context.Context, err error) *Error {
	if errors.Is(context.Cause(ctx), errPluginExited) ||
		ctx.Err() == nil && status.Code(err) == codes.Unavailable && diedWithin(exited) {
		return exitedError()
	}
	return errorOfStatus(err)
}

// streamBody is the [Body] of a response served over gRPC: it yields the
// frames' data as they arrive and ends at the trailer. The data of the
// frame that carries the trailer comes with the end, in one Read, as the
// adapter's body returned them (see [relay]): a host drops what comes with
// a failure, which may be a clean ending the adapter held.
type streamBody struct {
	next    func() (*adapterpb.Frame, error) // the call's next frame
	fail    func(error) *Error               // classifies a failed next
	release func(clean bool)                 // ends the call, once; clean if at its trailer

	pending []byte // the unread rest of the last frame's data; Read's alone

	mu      sync.Mutex // guards the fields below: Close may race Read
	err     error      // what Read returns once pending is drained; nil until the end
	trailer Trailer
}

// errBodyClosed is what Read returns after Close.
var errBodyClosed = &Error{Result: abi.Cancelled, Message: "read on a closed response body"}

func (b *streamBody) Read(p []byte) (int, error) {
	for len(b.pending) == 0 { // each turn takes one frame, until the trailer or an error
		if err := b.endErr(); err != nil {
			return 0, err
		}
		f, err := b.next()
		switch {
		case err == io.EOF:
			b.end(Trailer{Result: abi.ConnectionError}, &Error{Result: abi.ConnectionError, Message: "adapter plugin broke the protocol: no trailer frame"}, false)
			continue
		case err != nil:
			e := b.fail(err)
			b.end(Trailer{Result: e.Result}, e, false)
			continue
		}
		b.take(f)
	}
	n := copy(p, b.pending)
	b.pending = b.pending[n:]
	if len(b.pending) == 0 {
		return n, b.endErr() // the last data comes with the end
	}
	return n, nil
}

// take queues a frame's data for Read and, with its trailer, ends the body.
func (b *streamBody) take(f *adapterpb.Frame) {
	b.pending = f.GetData()
	t := f.GetTrailer()
	if t == nil {
		return
	}
	result, ok := resultFromPB(t.GetResult())
	if !ok {
		e := &Error{Result: abi.ConnectionError, Message: fmt.Sprintf("adapter plugin broke the protocol: result %d", t.GetResult())}
		b.end(Trailer{Result: abi.ConnectionError}, e, false)
		return
	}
	trailer := Trailer{Result: result, Usage: usageFromPB(t.GetUsage())}
	var end error = io.EOF
	if t.GetError() != "" {
		end = &Error{Result: trailer.Result, Message: t.GetError()}
	}
	b.end(trailer, end, true)
}

// resultFromPB reads a result class off the wire, where it is 32 bits
// wide: ok is false for a value no [abi.Result] has (256 must not read
// as [abi.Success]).
func resultFromPB(v uint32) (r abi.Result, ok bool) {
	if v > uint32(abi.Cancelled) {
		return abi.ConnectionError, false
	}
	return abi.Result(v), true
}

// failure is a Failure reply as an [*Error]; a class that is no failure
// (success, or unknown) names the plugin as broken.
func failure(f *adapterpb.Failure) *Error {
	if r, ok := resultFromPB(f.GetResult()); !ok || r == abi.Success {
		return &Error{Result: abi.ConnectionError,
			Message: fmt.Sprintf("adapter plugin broke the protocol: a failure of result %d: %s", f.GetResult(), f.GetMessage())}
	}
	return failureError(f)
}

// Close abandons the call: the plugin sees its context cancelled.
func (b *streamBody) Close() error {
	b.end(Trailer{Result: abi.Cancelled}, errBodyClosed, false)
	return nil
}

func (b *streamBody) Trailer() Trailer {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		return Trailer{Result: abi.Cancelled}
	}
	return b.trailer
}

func (b *streamBody) endErr() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// end records how the body ended and releases the call, first come first
// served; clean says the call ended at its trailer.
func (b *streamBody) end(t Trailer, err error, clean bool) {
	b.mu.Lock()
	first := b.err == nil
	if first {
		b.err, b.trailer = err, t
	}
	b.mu.Unlock()
	if first {
		b.release(clean)
	}
}

// Interface guards
var (
	_ Adapter = (*grpcClient)(nil)
	_ Body    = (*streamBody)(nil)
)
