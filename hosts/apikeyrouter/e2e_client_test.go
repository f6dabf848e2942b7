package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// The reliability tests' client: raw HTTP, so that a test sees exactly
// what a client would — statuses, headers, broken bodies — and can tell a
// complete answer from an interrupted one.

// chatRequest is one chat completion a test client sends.
type chatRequest struct {
	text      string
	stream    bool
	maxTokens int64 // 0: none
	headers   map[string]string
}

func (c chatRequest) body() []byte {
	m := map[string]any{"model": "gpt-4o-mini", "messages": []map[string]string{{"role": "user", "content": c.text}}}
	if c.stream {
		m["stream"] = true
		m["stream_options"] = map[string]bool{"include_usage": true}
	}
	if c.maxTokens > 0 {
		m["max_tokens"] = c.maxTokens
	}
	b, _ := json.Marshal(m)
	return b
}

// expectedUsage is the usage the mock upstream reports for the request
// when it answers in full: it echoes the text, cut to max_tokens.
func (c chatRequest) expectedUsage() (prompt, completion int64) {
	prompt = mockupstream.CountTokens(c.text)
	completion = prompt
	if c.maxTokens > 0 && completion > c.maxTokens {
		completion = c.maxTokens
	}
	return prompt, completion
}

// exchange is one request as the client saw it.
type exchange struct {
	status int
	header http.Header
	key    string // x-apikeyrouter-key-id
	code   string // an error answer's error.code
	// prompt and completion are the usage the answer reported; usage
	// tells whether it reported any.
	prompt, completion int64
	usage              bool
	// complete: the body was read to a clean end and, for a stream,
	// through its [DONE] event with every event before it JSON.
	complete bool
	err      error // the request failed, or its body broke
	body     []byte
}

// ok reports a complete, successful answer.
func (x *exchange) ok() bool { return x.err == nil && x.status == http.StatusOK && x.complete }

func (x *exchange) String() string {
	if x.err != nil {
		return fmt.Sprintf("error %v (status %d)", x.err, x.status)
	}
	return fmt.Sprintf("%d %s complete=%v: %.300s", x.status, x.code, x.complete, x.body)
}

// cost is what the core charges for the usage the answer reported.
func (x *exchange) cost() int64 {
	if !x.usage {
		return 0
	}
	return cost(x.key, x.prompt, x.completion)
}

// loadClient sends requests to a proxy, many at a time.
type loadClient struct {
	url   string
	token string
	hc    *http.Client
}

// newLoadClient returns a client of p with its own connection pool; every
// request is bounded by timeout.
func newLoadClient(p *proc, timeout time.Duration) *loadClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 256, 256
	return &loadClient{url: p.url, token: proxyKey, hc: &http.Client{Transport: tr, Timeout: timeout}}
}

func (c *loadClient) close() { c.hc.CloseIdleConnections() }

// chat sends one chat completion and reads the answer to its end.
func (c *loadClient) chat(ctx context.Context, r chatRequest) exchange {
	var x exchange
	resp, err := c.send(ctx, "/v1/chat/completions", r.body(), r.headers)
	if err != nil {
		x.err = err
		return x
	}
	defer resp.Body.Close()
	x.status, x.header, x.key = resp.StatusCode, resp.Header, resp.Header.Get("x-apikeyrouter-key-id")
	x.body, x.err = io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code string } `json:"error"`
		}
		if json.Unmarshal(x.body, &e) == nil {
			x.code = e.Error.Code
		}
		x.complete = x.err == nil
		return x
	}
	x.readUsage(r.stream)
	return x
}

// readUsage reads the usage a complete or partial answer reported.
func (x *exchange) readUsage(stream bool) {
	type usage struct {
		Prompt     int64 `json:"prompt_tokens"`
		Completion int64 `json:"completion_tokens"`
	}
	var doc struct {
		Usage *usage `json:"usage"`
	}
	if !stream {
		if json.Unmarshal(x.body, &doc) == nil && doc.Usage != nil {
			x.prompt, x.completion, x.usage = doc.Usage.Prompt, doc.Usage.Completion, true
			x.complete = x.err == nil
		}
		return
	}
	malformed := false
	sc := bufio.NewScanner(bytes.NewReader(x.body))
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		switch {
		case !ok:
		case data == "[DONE]":
			x.complete = x.err == nil && !malformed
		case json.Unmarshal([]byte(data), &doc) != nil:
			malformed = true
		case doc.Usage != nil:
			x.prompt, x.completion, x.usage = doc.Usage.Prompt, doc.Usage.Completion, true
		}
	}
}

// send posts body to path with the client's token.
func (c *loadClient) send(ctx context.Context, path string, body []byte, headers map[string]string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return c.hc.Do(req)
}

// hammer runs n calls of do from workers goroutines at once and returns
// their exchanges in call order.
func hammer(n, workers int, do func(i int) exchange) []exchange {
	out := make([]exchange, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				out[i] = do(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// failures returns the exchanges that are not complete successes.
func failures(xs []exchange) []*exchange {
	var out []*exchange
	for i := range xs {
		if !xs[i].ok() {
			out = append(out, &xs[i])
		}
	}
	return out
}

// keyView is the part of an admin key view the tests read.
type keyView struct {
	ID    string     `json:"id"`
	State string     `json:"state"`
	Pools []poolView `json:"pools"`
}

// poolView is a key's state for one model.
type poolView struct {
	Name       string  `json:"name"`
	State      string  `json:"state"`
	Until      string  `json:"until"`
	FailStreak int64   `json:"fail_streak"`
	InFlight   int64   `json:"in_flight"`
	SuccessPct float64 `json:"success_pct"`
	Samples    int64   `json:"samples"`
}

// pool returns the key's one pool (the fleet serves one model); a key
// that has served nothing yet has none, which reads as active.
func (k keyView) pool() poolView {
	if len(k.Pools) == 0 {
		return poolView{State: "active"}
	}
	return k.Pools[0]
}

func (p *proc) key(id string) keyView {
	var k keyView
	p.adminGet("/admin/v1/keys/"+id, &k)
	return k
}

// openAttempts is the number of attempts the core holds open.
func (p *proc) openAttempts() int {
	var h struct {
		OpenAttempts int `json:"open_attempts"`
	}
	p.adminGet("/admin/v1/health", &h)
	return h.OpenAttempts
}
