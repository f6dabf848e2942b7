//go:build !linux

package sdk

import (
	"errors"
	"net"
)

// listenLaneSocket fails: lane sockets are Linux's (abstract namespace,
// SO_PEERCRED); elsewhere lanes go over gRPC.
func listenLaneSocket() (net.Listener, error) {
	return nil, errors.New("lane sockets need Linux")
}

func fromProcess(net.Conn, int) bool { return false }
