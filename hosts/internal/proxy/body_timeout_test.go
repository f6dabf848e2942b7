package proxy_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// TestSlowBodyIsCut: a client that sends its body slower than
// Config.BodyTimeout allows gets 408 request_timeout when the bound
// passes, not when the server's 2-minute ReadTimeout does; a body that
// arrives in time may have an answer much slower than the bound.
func TestSlowBodyIsCut(t *testing.T) {
	const bound = 200 * time.Millisecond
	r, mock := mockRouter(t, router.Options{})
	if err := r.RegisterModel(abi.Model{Provider: "openai", Name: "gpt-4o-mini"}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterKey(abi.Key{ID: "k1", Provider: "openai"}, "sk-slow-answer"); err != nil {
		t.Fatal(err)
	}
	s, err := proxy.New(r, proxy.Config{ProxyKey: callTestKey, BodyTimeout: bound})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(s.Handler())
	srv.Config.ReadTimeout = 2 * time.Minute
	srv.Start()
	defer srv.Close()

	body := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t0 := time.Now()
	fmt.Fprintf(conn, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", callTestKey, len(body), body[:10])
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	took := time.Since(t0)
	var e struct {
		Error struct{ Code, Message string }
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	// The bound, a second per 64 KiB (1 ms here), and slack for a loaded
	// machine: far below the server's ReadTimeout either way.
	if resp.StatusCode != http.StatusRequestTimeout || e.Error.Code != "request_timeout" || took > bound+10*time.Second {
		t.Fatalf("a stalled body: %d %+v after %v; want 408 request_timeout after about %v", resp.StatusCode, e, took, bound)
	}
	if !strings.Contains(e.Error.Message, "did not arrive within 201ms") {
		t.Errorf("message %q does not say the bound", e.Error.Message)
	}

	// The bound is lifted once the body is in: an answer slower than it
	// is relayed whole.
	mock.SetFault("sk-slow-answer", mockupstream.Fault{HeaderDelay: 3 * bound})
	req, _ := http.NewRequest("POST", srv.URL+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+callTestKey)
	req.Header.Set("Content-Type", "application/json")
	slow, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Body.Close()
	if slow.StatusCode != http.StatusOK {
		t.Fatalf("an answer slower than the body's bound: %d", slow.StatusCode)
	}
}
