package sdk

import (
	"crypto/rand"
	"encoding/hex"
	"net"

	"golang.org/x/sys/unix"
)

// listenLaneSocket listens on a new socket in Linux's abstract namespace:
// nothing on disk to remove when the plugin dies; its name is random and
// [fromProcess] checks who connects.
func listenLaneSocket() (net.Listener, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	return net.Listen("unix", "@apikeyrouter-lanes-"+hex.EncodeToString(b[:]))
}

// fromProcess reports whether the kernel says conn's peer is the process
// pid (SO_PEERCRED).
func fromProcess(conn net.Conn, pid int) bool {
	uc, ok := conn.(*net.UnixConn)
	if !ok || pid <= 0 {
		return false
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return false
	}
	var cred *unix.Ucred
	if cerr := raw.Control(func(fd uintptr) { cred, err = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED) }); cerr != nil || err != nil {
		return false
	}
	return int(cred.Pid) == pid
}
