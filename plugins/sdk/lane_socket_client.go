package sdk

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// laneStream is the host's end of a lane: a gRPC Lane stream or a
// connection to the plugin's lane socket.
type laneStream interface {
	Send(*adapterpb.LaneCall) error
	Recv() (*adapterpb.LaneReply, error)
}

// socketAskTimeout bounds the host's one LaneSocket call to a plugin.
const socketAskTimeout = 5 * time.Second

// socketAddress asks the plugin, once, for its lane socket; "" if it has
// none (an older plugin, another system than Linux, a failure).
func (ls *lanes) socketAddress() string {
	ls.socket.Do(func() {
		ctx, cancel := context.WithTimeout(ls.exited, socketAskTimeout)
		defer cancel()
		r, err := ls.rpc.LaneSocket(ctx, &adapterpb.LaneSocketRequest{HostPid: int64(os.Getpid())})
		if err == nil {
			ls.socketAddr = r.GetAddress()
		}
	})
	return ls.socketAddr
}

// open opens a lane that closing ctx cancels: on the plugin's socket if it
// has one and it lets the host in, else a gRPC Lane stream. A socket that
// fails once is not tried again.
func (ls *lanes) open(ctx context.Context) (laneStream, error) {
	if addr := ls.socketAddress(); addr != "" && !ls.socketOff.Load() {
		if s, err := ls.dial(ctx, addr); err == nil {
			return s, nil
		}
		ls.socketOff.Store(true)
	}
	return ls.rpc.Lane(ctx)
}

// laneGreeting is the byte a plugin writes on a lane connection it
// accepts: a refused one is closed without it.
const laneGreeting = 1

// dialLaneSocket connects to a plugin's lane socket and waits (at most
// socketAskTimeout) to be let in; ctx's end closes the connection, which
// cancels the call on it in the plugin.
func dialLaneSocket(ctx context.Context, address string) (laneStream, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", address)
	if err != nil {
		return nil, err
	}
	c := newFramedConn(conn)
	_ = conn.SetReadDeadline(time.Now().Add(socketAskTimeout))
	if b, err := c.r.ReadByte(); err != nil || b != laneGreeting {
		_ = conn.Close()
		return nil, fmt.Errorf("adapter plugin lane socket: not let in (%v)", err)
	}
	_ = conn.SetReadDeadline(time.Time{})
	context.AfterFunc(ctx, func() { _ = conn.Close() })
	return socketLane{c}, nil
}

// socketLane is a lane on a plugin's socket, the host's end.
type socketLane struct{ c *framedConn }

// Send sends a call; if it fails, the connection is closed, so that the
// Recv that follows fails too instead of waiting for a reply.
func (s socketLane) Send(call *adapterpb.LaneCall) error {
	if err := s.c.send(call); err != nil {
		_ = s.c.conn.Close()
		return fmt.Errorf("adapter plugin lane socket: %w", err)
	}
	return nil
}

func (s socketLane) Recv() (*adapterpb.LaneReply, error) {
	reply := new(adapterpb.LaneReply)
	if err := s.c.recv(reply); err != nil {
		return nil, fmt.Errorf("adapter plugin lane socket: %w", err)
	}
	return reply, nil
}
