package sdk

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

// framedConn carries protobuf messages on a connection to or from a lane
// socket, each after its length in bytes as a uvarint (see LaneSocket in
// adapter.proto). One goroutine may send while another receives.
type framedConn struct {
	conn net.Conn
	r    *bufio.Reader
	wbuf []byte // send's
	rbuf []byte // recv's
}

func newFramedConn(conn net.Conn) *framedConn {
	return &framedConn{conn: conn, r: bufio.NewReaderSize(conn, frameBytes+1024)}
}

// keptBuffer is the largest buffer a framedConn keeps for its next
// message; a larger message gets one of its own.
const keptBuffer = 64 << 10

// send writes m, with its length, in one write.
func (c *framedConn) send(m proto.Message) error {
	size := proto.Size(m)
	if size > MaxMessageBytes {
		return fmt.Errorf("a message of %d bytes exceeds %d", size, MaxMessageBytes)
	}
	b := protowire.AppendVarint(c.wbuf[:0], uint64(size))
	b, err := proto.MarshalOptions{UseCachedSize: true}.MarshalAppend(b, m)
	if err != nil {
		return err
	}
	if cap(b) <= keptBuffer {
		c.wbuf = b[:0]
	}
	_, err = c.conn.Write(b)
	return err
}

// recv reads the next message into m. It returns io.EOF if the peer
// closed the connection between two messages.
func (c *framedConn) recv(m proto.Message) error {
	n, err := binary.ReadUvarint(c.r)
	if err != nil {
		return err
	}
	if n > MaxMessageBytes {
		return fmt.Errorf("a message of %d bytes exceeds %d", n, MaxMessageBytes)
	}
	b := c.rbuf
	if uint64(cap(b)) < n {
		b = make([]byte, n)
	}
	b = b[:n]
	if _, err := io.ReadFull(c.r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if cap(b) <= keptBuffer {
		c.rbuf = b
	}
	return proto.Unmarshal(b, m)
}
