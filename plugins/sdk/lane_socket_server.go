package sdk

import (
	"context"
	"io"
	"net"
	"sync"
	"time"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// laneSocket is a plugin's lane socket, opened on the host's first ask.
type laneSocket struct {
	once    sync.Once
	address string // "" if it could not be opened
}

// LaneSocket opens the lane socket once, for the host's process only, and
// says where it is.
func (s *grpcServer) LaneSocket(_ context.Context, req *adapterpb.LaneSocketRequest) (*adapterpb.LaneSocketResponse, error) {
	s.socket.once.Do(func() { s.socket.address = s.serveLaneSocket(int(req.GetHostPid())) })
	return &adapterpb.LaneSocketResponse{Address: s.socket.address}, nil
}

// acceptRetry is how long the lane socket waits after a failed accept (out
// of file descriptors, say) before the next.
const acceptRetry = 50 * time.Millisecond

// serveLaneSocket listens on a new lane socket and serves each connection
// from the process hostPID as a lane, for as long as the plugin runs. It
// returns the socket's address, or "" if it could not listen.
func (s *grpcServer) serveLaneSocket(hostPID int) string {
	ln, err := listenLaneSocket()
	if err != nil {
		return ""
	}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				time.Sleep(acceptRetry)
				continue
			}
			if !fromProcess(conn, hostPID) {
				_ = conn.Close()
				continue
			}
			go func() {
				if _, err := conn.Write([]byte{laneGreeting}); err != nil {
					_ = conn.Close()
					return
				}
				s.serveSocketLane(conn)
			}()
		}
	}()
	return ln.Addr().String()
}

// serveSocketLane serves one connection as a lane until the host closes
// it. A reader takes the calls off the connection and, while a call runs,
// waits for the next read: the host closing the connection cancels the
// call in progress.
func (s *grpcServer) serveSocketLane(conn net.Conn) {
	ctx, cancel := context.WithCancel(context.Background())
	l := &socketLaneServer{ctx: ctx, c: newFramedConn(conn), calls: make(chan *adapterpb.LaneCall), done: make(chan struct{})}
	go func() {
		defer close(l.calls)
		defer cancel()
		for {
			call := new(adapterpb.LaneCall)
			if err := l.c.recv(call); err != nil {
				return
			}
			select {
			case l.calls <- call:
			case <-l.done:
				return
			}
		}
	}()
	_ = s.serveLane(l)
	close(l.done)
	cancel()
	_ = conn.Close()
}

// socketLaneServer is a lane on the plugin's socket, the plugin's end.
type socketLaneServer struct {
	ctx   context.Context
	c     *framedConn
	calls chan *adapterpb.LaneCall // from the reader; closed when the host closed the lane
	done  chan struct{}            // closed when the lane is no longer served
}

func (l *socketLaneServer) Context() context.Context { return l.ctx }

func (l *socketLaneServer) Send(reply *adapterpb.LaneReply) error { return l.c.send(reply) }

func (l *socketLaneServer) Recv() (*adapterpb.LaneCall, error) {
	call, ok := <-l.calls
	if !ok {
		return nil, io.EOF
	}
	return call, nil
}
