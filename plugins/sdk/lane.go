package sdk

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// maxIdleLanes is how many idle lanes a host keeps open to one plugin;
// more are opened under load and closed when they come back.
const maxIdleLanes = 64

// errNoLane says the plugin has no Lane: the call goes unary.
var errNoLane = errors.New("adapter plugin has no lanes")

// lanes are the host's idle lanes to one plugin: connections to its lane
// socket (lane_socket_client.go) or, without one, Lane streams. A call
// takes one, or opens one, and gives it back once its answer has been read
// to the end; a call abandoned on the way (its context done, its body closed
// early, a broken stream) closes its lane instead, which cancels it in the
// plugin too.
type lanes struct {
	rpc    adapterpb.AdapterClient
	exited context.Context // done once the plugin process has exited
	off    atomic.Bool     // the plugin answered UNIMPLEMENTED: no lanes

	socket     sync.Once // asks for the plugin's lane socket (socketAddress)
	socketAddr string
	socketOff  atomic.Bool // the socket failed: lanes go over gRPC
	dial       func(ctx context.Context, address string) (laneStream, error)

	mu   sync.Mutex
	idle []*lane
}

func newLanes(rpc adapterpb.AdapterClient, exited context.Context) *lanes {
	return &lanes{rpc: rpc, exited: exited, dial: dialLaneSocket}
}

// lane is one open lane, used by one call at a time.
type lane struct {
	stream  laneStream
	ctx     context.Context
	cancel  context.CancelCauseFunc
	unwatch func() bool // stops cancelling the lane when the plugin exits
	served  bool        // a call was answered on it: the plugin has lanes
}

// take returns an idle lane, or opens one.
func (ls *lanes) take() (l *lane, reused bool, err error) {
	ls.mu.Lock()
	if n := len(ls.idle); n > 0 {
		l = ls.idle[n-1]
		ls.idle[n-1] = nil
		ls.idle = ls.idle[:n-1]
	}
	ls.mu.Unlock()
	if l != nil {
		return l, true, nil
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	unwatch := context.AfterFunc(ls.exited, func() { cancel(errPluginExited) })
	stream, err := ls.open(ctx)
	if err != nil {
		unwatch()
		cancel(nil)
		return nil, false, err
	}
	return &lane{stream: stream, ctx: ctx, cancel: cancel, unwatch: unwatch}, false, nil
}

// put gives back a lane whose call ended cleanly.
func (ls *lanes) put(l *lane) {
	ls.mu.Lock()
	if len(ls.idle) < maxIdleLanes && l.ctx.Err() == nil {
		ls.idle = append(ls.idle, l)
		l = nil
	}
	ls.mu.Unlock()
	if l != nil {
		l.close()
	}
}

// close ends the lane: the plugin sees its stream, and the call on it,
// cancelled.
func (l *lane) close() {
	l.unwatch()
	l.cancel(nil)
}

// start sends call on a lane and waits for the first message of its
// answer. It returns [errNoLane] if the plugin has none, and an [*Error]
// if the call failed on the way.
func (ls *lanes) start(ctx context.Context, call *adapterpb.LaneCall) (*laneCall, *adapterpb.LaneReply, error) {
	if ls.off.Load() {
		return nil, nil, errNoLane
	}
	if d, ok := ctx.Deadline(); ok {
		call.DeadlineUnixNs = d.UnixNano()
	}
	for {
		l, reused, err := ls.take()
		if err != nil {
			return nil, nil, callError(ls.exited, ctx, err)
		}
		c := &laneCall{lanes: ls, lane: l, ctx: ctx}
		c.unwatch = context.AfterFunc(ctx, func() { l.cancel(context.Cause(ctx)) })
		sendErr := l.stream.Send(call)
		reply, err := l.stream.Recv() // after a failed Send, the stream's status
		if err == nil && sendErr == nil {
			l.served = true
			return c, reply, nil
		}
		c.done(false)
		switch {
		case !l.served && status.Code(err) == codes.Unimplemented:
			ls.off.Store(true)
			return nil, nil, errNoLane
		case sendErr != nil && reused && ctx.Err() == nil:
			continue // an idle lane that had ended: the call was not sent
		case err == nil:
			err = sendErr
		}
		return nil, nil, c.error(err)
	}
}

// laneCall is one call in progress on a lane.
type laneCall struct {
	lanes   *lanes
	lane    *lane
	ctx     context.Context // the caller's
	unwatch func() bool     // stops cancelling the lane when ctx is done
	once    sync.Once
}

// next returns the next frame of a Do's answer.
func (c *laneCall) next() (*adapterpb.Frame, error) {
	reply, err := c.lane.stream.Recv()
	if err != nil {
		return nil, c.error(err)
	}
	f := reply.GetFrame()
	if f == nil {
		return nil, &Error{Result: abi.ConnectionError, Message: "adapter plugin broke the protocol: a lane reply in a body is not a frame"}
	}
	return f, nil
}

// done ends the call, once: its lane goes back to the idle ones if the
// answer was read to its end (clean) and the caller's context is not done,
// else it is closed.
func (c *laneCall) done(clean bool) {
	c.once.Do(func() {
		if c.unwatch() && clean {
			c.lanes.put(c.lane)
			return
		}
		c.lane.close()
	})
}

// error turns a failed send or receive into an [*Error]: the plugin's exit
// ([exitedError]), the caller's deadline or cancellation, or the stream's
// status. A lane breaks only when its plugin's end does, so a break the
// caller did not cause waits a moment (diedWithin) to tell a plugin that
// died from one that hung up.
func (c *laneCall) error(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(context.Cause(c.lane.ctx), errPluginExited):
		return exitedError()
	case c.ctx.Err() != nil:
		return &Error{Result: ClassifyError(c.ctx.Err()), Message: "adapter call: " + c.ctx.Err().Error()}
	case diedWithin(c.lanes.exited):
		return exitedError()
	}
	return errorOfStatus(err)
}

// failureError is a Failure reply as an [*Error].
func failureError(f *adapterpb.Failure) *Error {
	return &Error{Result: abi.Result(f.GetResult()), Message: f.GetMessage()}
}
