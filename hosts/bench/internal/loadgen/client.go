package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// client is one keep-alive HTTP/1.1 connection that sends the same request
// over and over and reads each answer with as little work as HTTP allows:
// the status line, three headers, the body discarded (Content-Length or
// chunked). That keeps the generator's cost per request to a few
// syscalls, so it is not what limits a run.
type client struct {
	addr    string
	req     []byte
	timeout time.Duration
	conn    net.Conn
	r       *bufio.Reader
}

// response is what client.do learned of one answer.
type response struct {
	status   int
	ttfb     time.Duration // to the first byte of the body
	overhead time.Duration // x-apikeyrouter-overhead-us
	hasOver  bool
	bodyLen  int64
	close    bool // the server will close the connection
}

// errProtocol is an answer the client cannot read.
var errProtocol = errors.New("malformed HTTP answer")

func (c *client) dial() error {
	conn, err := net.DialTimeout("tcp", c.addr, c.timeout)
	if err != nil {
		return err
	}
	c.conn = conn
	if c.r == nil {
		c.r = bufio.NewReaderSize(conn, 64<<10)
	} else {
		c.r.Reset(conn)
	}
	return nil
}

func (c *client) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
}

// do sends the request and reads the whole answer; start is when it was
// sent.
func (c *client) do(start time.Time) (response, error) {
	var resp response
	if err := c.conn.SetDeadline(start.Add(c.timeout)); err != nil {
		return resp, err
	}
	if _, err := c.conn.Write(c.req); err != nil {
		return resp, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return resp, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return resp, errProtocol
	}
	if resp.status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return resp, errProtocol
	}
	length, chunked := int64(-1), false
	for {
		line, err = c.r.ReadSlice('\n')
		if err != nil {
			return resp, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return resp, errProtocol
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return resp, errProtocol
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			resp.close = bytes.EqualFold(value, []byte("close"))
		case bytes.EqualFold(name, []byte("X-Apikeyrouter-Overhead-Us")):
			us, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil {
				return resp, errProtocol
			}
			resp.overhead, resp.hasOver = time.Duration(us)*time.Microsecond, true
		}
	}
	if !chunked && length < 0 {
		return resp, fmt.Errorf("%w: neither Content-Length nor chunked", errProtocol)
	}
	if chunked || length > 0 {
		if _, err := c.r.Peek(1); err != nil {
			return resp, err
		}
	}
	resp.ttfb = time.Since(start)
	if !chunked {
		n, err := c.r.Discard(int(length))
		resp.bodyLen = int64(n)
		return resp, err
	}
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return resp, err
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(size), 16, 64)
		if err != nil || n < 0 {
			return resp, errProtocol
		}
		if n == 0 {
			break
		}
		if _, err := c.r.Discard(int(n)); err != nil {
			return resp, err
		}
		resp.bodyLen += n
		if line, err = c.r.ReadSlice('\n'); err != nil {
			return resp, err
		}
		if len(bytes.TrimRight(line, "\r\n")) != 0 {
			return resp, errProtocol
		}
	}
	for { // trailers, up to the empty line
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return resp, err
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			return resp, nil
		}
	}
}
