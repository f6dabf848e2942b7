package sdktest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// abandon is how the host gives up on a stream.
type abandon int

const (
	abandonCancel abandon = iota // cancel the call's context
	abandonClose                 // close the body
)

// stalledAfterFirstChunk returns c's exchange cut after its first chunk,
// with the provider then holding the stream open until the call is
// abandoned.
func stalledAfterFirstChunk(c *Cassette) *Cassette {
	s := *c
	s.UpstreamResponse.Chunks = c.UpstreamResponse.Chunks[:1]
	s.UpstreamResponse.AwaitFirstByte = false
	s.UpstreamResponse.Fault = faultStallAfterChunks
	return &s
}

// startStalled starts the stalled exchange and reads until the first byte
// of the answer arrives.
func startStalled(t *testing.T, a sdk.Adapter, ctx context.Context, c *Cassette) (*replay, *sdk.Response) {
	rep := startReplay(t, stalledAfterFirstChunk(c))
	req, err := c.sdkRequest(rep.baseURL())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Do(ctx, req)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	read := make(chan error, 1)
	go func() {
		n, err := resp.Body.Read(make([]byte, 1))
		if n == 0 && err == nil {
			err = errNoProgress
		}
		read <- err
	}()
	select {
	case err := <-read:
		if err != nil {
			t.Fatalf("first read: %v", err)
		}
	case <-time.After(guard):
		t.Fatalf("the first chunk did not arrive within %s: the stream is buffered", guard)
	}
	return rep, resp
}

// readToError reads body until an error, within the guard; it returns the
// error, or nil if the body ended cleanly.
func readToError(t *testing.T, body sdk.Body) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := readBody(body, func() {})
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(guard):
		t.Fatalf("the body did not stop within %s", guard)
		return nil
	}
}

// checkAbandon checks that abandoning a stream mid-way stops it promptly,
// aborts the provider call and accounts the attempt as cancelled.
func checkAbandon(t *testing.T, a sdk.Adapter, c *Cassette, how abandon) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	rep, resp := startStalled(t, a, ctx, c)
	switch how {
	case abandonCancel:
		cancel()
	case abandonClose:
		_ = resp.Body.Close()
	}
	if err := readToError(t, resp.Body); err == nil {
		t.Errorf("the body ended cleanly after being abandoned")
	} else if strings.Contains(err.Error(), Secret) {
		t.Errorf("read error contains the secret: %q", err)
	}
	select {
	case <-rep.gone:
	case <-time.After(guard):
		t.Errorf("the provider call was still open %s after the stream was abandoned", guard)
	}
	if got := resp.Outcome().Result; got != abi.Cancelled {
		t.Errorf("outcome result = %s, want %s", got, abi.Cancelled)
	}
}

// checkPluginDeath kills the plugin process mid-stream: the stream must
// fail promptly as cancelled (the host abandons the attempt: the plugin's
// death is not its key's fault), further calls too, and the plugin must
// restart.
func checkPluginDeath(t *testing.T, cfg Config, c *Cassette, logger hclog.Logger) {
	client, err := sdk.NewClient(sdk.ClientConfig{Path: cfg.Plugin, Env: []string{"LOG_LEVEL=trace"}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Kill)
	_, resp := startStalled(t, client.Adapter(), t.Context(), c)

	proc, err := os.FindProcess(client.Pid())
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.Kill(); err != nil {
		t.Fatalf("kill plugin: %v", err)
	}
	err = readToError(t, resp.Body)
	if got := sdk.ClassifyError(err); err == nil || got != abi.Cancelled {
		t.Errorf("after the plugin died, the body read returned %v (class %s); want %s", err, got, abi.Cancelled)
	}
	if got := resp.Outcome().Result; got != abi.Cancelled {
		t.Errorf("outcome result = %s, want %s", got, abi.Cancelled)
	}

	ctx, cancel := context.WithTimeout(t.Context(), guard)
	defer cancel()
	if _, err := client.Adapter().Info(ctx); sdk.ClassifyError(err) != abi.Cancelled {
		t.Errorf("Info on a dead plugin = %v; want %s", err, abi.Cancelled)
	}
	for i := 0; i < 1000 && !client.Exited(); i++ { // at most 10 s
		time.Sleep(10 * time.Millisecond)
	}
	if !client.Exited() {
		t.Errorf("Exited() = false after the plugin was killed")
	}
	restarted, err := client.Restart()
	if err != nil {
		t.Fatalf("Restart: %v", err)
	}
	t.Cleanup(restarted.Kill)
	if _, err := restarted.Adapter().Info(ctx); err != nil {
		t.Errorf("Info after Restart: %v", err)
	}
}

// errNoProgress is a read that returned neither bytes nor an error.
var errNoProgress = &sdk.Error{Result: abi.ConnectionError, Message: "sdktest: read returned 0 bytes and no error"}
