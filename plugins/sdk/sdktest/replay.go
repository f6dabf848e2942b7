package sdktest

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// guard bounds every wait in the kit, so a broken adapter fails a check
// instead of hanging the test. It is an upper bound, never a measurement.
const guard = 10 * time.Second

// replay is the fake provider for one cassette run: it checks the
// adapter's request and replays the recorded answer.
type replay struct {
	t         *testing.T
	c         *Cassette
	srv       *httptest.Server
	firstByte chan struct{} // closed by the host side once it read a byte
	release   chan struct{} // closed at cleanup: stalls end
	gone      chan struct{} // closed when a stalled call's client went away
	goneOnce  sync.Once
}

// startReplay serves c until the test ends.
func startReplay(t *testing.T, c *Cassette) *replay {
	r := &replay{
		t:         t,
		c:         c,
		firstByte: make(chan struct{}),
		release:   make(chan struct{}),
		gone:      make(chan struct{}),
	}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	t.Cleanup(func() { close(r.release) }) // runs first: stalled handlers return
	return r
}

// baseURL is the provider's API root to give the adapter.
func (r *replay) baseURL() string { return r.srv.URL + "/v1" }

// readFirstByte tells the replay the host has read a byte of the answer.
func (r *replay) readFirstByte() {
	select {
	case <-r.firstByte:
	default:
		close(r.firstByte)
	}
}

func (r *replay) serve(w http.ResponseWriter, req *http.Request) {
	r.checkRequest(req)
	up := r.c.UpstreamResponse
	switch up.Fault {
	case faultResetBeforeHeaders:
		resetConnection(w)
		return
	case faultStallBeforeHeaders:
		r.stall(req)
		return
	}
	for name, value := range up.Header {
		w.Header().Set(name, withSecret(value))
	}
	w.WriteHeader(up.Status)
	body, err := bodyBytes(up.Body)
	if err != nil {
		r.t.Errorf("cassette upstream_response.body: %v", err)
	}
	_, _ = w.Write(body)
	rc := http.NewResponseController(w)
	for i, chunk := range up.Chunks {
		if _, err := io.WriteString(w, withSecret(chunk)); err != nil {
			return
		}
		if rc.Flush() != nil {
			return
		}
		if i == 0 && up.AwaitFirstByte && len(up.Chunks) > 1 && !r.awaitFirstByte(req) {
			return
		}
	}
	switch up.Fault {
	case faultResetAfterChunks:
		_ = rc.Flush()
		resetConnection(w)
	case faultStallAfterChunks:
		r.stall(req)
	}
}

// awaitFirstByte waits until the host has read a byte of the answer; false
// if the call ended or the guard expired first.
func (r *replay) awaitFirstByte(req *http.Request) bool {
	t := time.NewTimer(guard)
	defer t.Stop()
	select {
	case <-r.firstByte:
		return true
	case <-t.C:
		r.t.Errorf("the first chunk did not reach the host within %s while the provider held back the second: the stream is buffered", guard)
	case <-req.Context().Done():
	case <-r.release:
	}
	return false
}

// stall holds the answer open until the client goes away or the test ends.
func (r *replay) stall(req *http.Request) {
	select {
	case <-req.Context().Done():
		r.goneOnce.Do(func() { close(r.gone) })
	case <-r.release:
	}
}

// checkRequest compares the adapter's request with the cassette's
// expectation, and checks the secret appears only where expected.
func (r *replay) checkRequest(req *http.Request) {
	t, want := r.t, r.c.UpstreamRequest
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Errorf("upstream: read request body: %v", err)
	}
	if req.Method != want.Method || req.URL.Path != want.Path {
		t.Errorf("upstream got %s %s, want %s %s", req.Method, req.URL.Path, want.Method, want.Path)
	}
	secretAllowed := map[string]bool{}
	for name, value := range want.Header {
		if got := req.Header.Get(name); got != withSecret(value) {
			t.Errorf("upstream header %s = %q, want %q", name, got, withSecret(value))
		}
		if strings.Contains(value, secretPlaceholder) {
			secretAllowed[http.CanonicalHeaderKey(name)] = true
		}
	}
	for name, values := range req.Header {
		if !secretAllowed[name] && strings.Contains(strings.Join(values, "\n"), Secret) {
			t.Errorf("the secret was sent upstream in header %s", name)
		}
	}
	if strings.Contains(req.URL.String(), Secret) {
		t.Errorf("the secret was sent upstream in the URL")
	}
	if bytes.Contains(body, []byte(Secret)) {
		t.Errorf("the secret was sent upstream in the body")
	}
	if len(want.Body) > 0 {
		if eq, err := jsonEqual(body, want.Body); err != nil || !eq {
			t.Errorf("upstream body:\n got  %s\n want %s (%v)", body, want.Body, err)
		}
	}
}

// jsonEqual reports whether a and b hold equal JSON values.
func jsonEqual(a, b []byte) (bool, error) {
	va, err := decodeJSON(a)
	if err != nil {
		return false, err
	}
	vb, err := decodeJSON(b)
	if err != nil {
		return false, err
	}
	return reflect.DeepEqual(va, vb), nil
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// resetConnection closes the client's connection with a TCP reset.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
