package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// Upstream faults against the real binary: every test here injects one
// kind of provider failure with the mock upstream and checks what clients
// see and what the router learns. Each logs a "figures:" line that
// RELIABILITY.md quotes.

// words returns a prompt of n words, so that a stream has n content chunks.
func words(prefix string, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return strings.Join(w, " ")
}

// TestFault429Storm: two of three keys answer every request with 429 for
// an hour. 256 requests from 32 clients (half streamed) all succeed on the
// third key, and each stormy key saw only what was in flight when its
// first 429 came back — a 429 fails over and cools the key down.
func TestFault429Storm(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	for _, s := range secrets[:2] {
		f.mock.SetFault(s, mockupstream.Fault{Status: 429, RetryAfter: time.Hour})
	}
	p := start(t, f.env...)
	c := newLoadClient(p, 30*time.Second)
	defer c.close()
	const n, workers = 256, 32
	xs := hammer(n, workers, func(i int) exchange {
		return c.chat(context.Background(), chatRequest{text: fmt.Sprintf("storm %d", i), stream: i%2 == 0,
			headers: map[string]string{"x-apikeyrouter-objective": "fairness"}})
	})
	if bad := failures(xs); len(bad) > 0 {
		t.Fatalf("%d of %d requests failed while mock-3 was healthy; first: %v", len(bad), n, bad[0])
	}
	injected := f.mock.Requests(secrets[0]) + f.mock.Requests(secrets[1])
	for i, s := range secrets[:2] {
		if got := f.mock.Requests(s); got < 1 || got > workers {
			t.Errorf("stormy key mock-%d got %d requests; want 1..%d (those in flight at its first 429)", i+1, got, workers)
		}
		if k := p.key(fmt.Sprintf("mock-%d", i+1)); k.pool().State != "cooling_down" {
			t.Errorf("mock-%d is %s, want cooling_down", i+1, k.pool().State)
		}
	}
	t.Logf("figures: requests=%d clients=%d 429s_injected=%d client_errors=0", n, workers, injected)
}

// TestFaultCooldownEndsAtReset: all three keys answer one 429 with
// Retry-After: 2. The client that met them gets the last 429 relayed;
// until the reset, clients get 503 no_eligible_keys with a Retry-After and
// no request reaches the upstream; right after it, the keys serve again.
// A cooldown never outlives the provider's reset.
func TestFaultCooldownEndsAtReset(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	const reset = 2 * time.Second
	for _, s := range secrets {
		f.mock.SetFault(s, mockupstream.Fault{Status: 429, RetryAfter: reset, Times: 1})
	}
	p := start(t, f.env...)
	c := newLoadClient(p, 30*time.Second)
	defer c.close()
	stormAt := time.Now()
	x := c.chat(context.Background(), chatRequest{text: "into the storm"})
	if x.status != 429 || x.header.Get("Retry-After") == "" || x.header.Get("x-apikeyrouter-attempts") != "3" {
		t.Fatalf("first request: %v, attempts %s", &x, x.header.Get("x-apikeyrouter-attempts"))
	}
	refused := 0
	var recovered time.Duration
	waitFor(t, "a key to serve again", reset+3*time.Second, func() bool {
		x := c.chat(context.Background(), chatRequest{text: "after the storm"})
		if x.ok() {
			recovered = time.Since(stormAt)
			return true
		}
		if x.status != 503 || x.code != "no_eligible_keys" || x.header.Get("Retry-After") == "" {
			t.Fatalf("during the cooldown: %v (Retry-After %q)", &x, x.header.Get("Retry-After"))
		}
		refused++
		for _, s := range secrets {
			if n := f.mock.Requests(s); n != 1 {
				t.Fatalf("a key got %d requests during its cooldown, want 1", n)
			}
		}
		time.Sleep(100 * time.Millisecond)
		return false
	})
	t.Logf("figures: 429s_injected=3 refused_503=%d recovered_after=%v (reset %v)", refused, recovered.Round(10*time.Millisecond), reset)
}

// TestFault5xx: one key always answers 500, another 502 for its next 20
// requests; 200 requests from 16 clients all succeed, and the 500 key is
// cooled down after its failure streak.
func TestFault5xx(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	f.mock.SetFault(secrets[0], mockupstream.Fault{Status: 500})
	f.mock.SetFault(secrets[1], mockupstream.Fault{Status: 502, Times: 20})
	p := start(t, f.env...)
	c := newLoadClient(p, 30*time.Second)
	defer c.close()
	const n = 200
	xs := hammer(n, 16, func(i int) exchange {
		return c.chat(context.Background(), chatRequest{text: fmt.Sprintf("5xx %d", i), stream: i%3 == 0,
			headers: map[string]string{"x-apikeyrouter-objective": "fairness"}})
	})
	if bad := failures(xs); len(bad) > 0 {
		t.Fatalf("%d of %d requests failed; first: %v", len(bad), n, bad[0])
	}
	if k := p.key("mock-1"); k.pool().State != "cooling_down" {
		t.Errorf("mock-1 is %s after its 500s, want cooling_down", k.pool().State)
	}
	injected := f.mock.Requests(secrets[0]) + min(f.mock.Requests(secrets[1]), 20)
	t.Logf("figures: requests=%d 5xx_injected=%d client_errors=0", n, injected)
}

// TestFaultTimeouts: with APIKEYROUTER_ATTEMPT_TIMEOUT=250ms, a key whose
// headers take a minute is abandoned after 250 ms and the request fails
// over; when every key is that slow, the client gets 504
// upstream_unavailable within the attempts' timeouts, not a minute later.
func TestFaultTimeouts(t *testing.T) {
	t.Parallel()
	f := newFleet(t, "APIKEYROUTER_ATTEMPT_TIMEOUT=250ms")
	f.mock.SetFault(secrets[0], mockupstream.Fault{HeaderDelay: time.Minute})
	p := start(t, f.env...)
	c := newLoadClient(p, 30*time.Second)
	defer c.close()
	const n = 60
	xs := hammer(n, 8, func(i int) exchange {
		return c.chat(context.Background(), chatRequest{text: fmt.Sprintf("slow %d", i), stream: i%2 == 0,
			headers: map[string]string{"x-apikeyrouter-objective": "fairness"}})
	})
	if bad := failures(xs); len(bad) > 0 {
		t.Fatalf("%d of %d requests failed; first: %v", len(bad), n, bad[0])
	}
	timeouts := f.mock.Requests(secrets[0])
	for _, s := range secrets {
		f.mock.SetFault(s, mockupstream.Fault{HeaderDelay: time.Minute})
	}
	t0 := time.Now()
	x := c.chat(context.Background(), chatRequest{text: "everyone is slow"})
	took := time.Since(t0)
	if x.status != http.StatusGatewayTimeout || x.code != "upstream_unavailable" {
		t.Fatalf("all keys slow: %v", &x)
	}
	if took > 10*time.Second {
		t.Fatalf("the 504 took %v", took)
	}
	t.Logf("figures: requests=%d timeouts_injected=%d client_errors=0; all keys slow: 504 after %v",
		n+1, timeouts+int64(len(secrets)), took.Round(10*time.Millisecond))
}

// TestFaultResetBeforeHeaders: a key whose connection is reset before any
// byte fails over like any connection error: every request succeeds.
func TestFaultResetBeforeHeaders(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	f.mock.SetFault(secrets[0], mockupstream.Fault{Reset: mockupstream.BeforeHeaders})
	p := start(t, f.env...)
	c := newLoadClient(p, 30*time.Second)
	defer c.close()
	const n = 60
	xs := hammer(n, 8, func(i int) exchange {
		return c.chat(context.Background(), chatRequest{text: fmt.Sprintf("reset %d", i), stream: i%2 == 0,
			headers: map[string]string{"x-apikeyrouter-objective": "fairness"}})
	})
	if bad := failures(xs); len(bad) > 0 {
		t.Fatalf("%d of %d requests failed; first: %v", len(bad), n, bad[0])
	}
	t.Logf("figures: requests=%d resets_injected=%d client_errors=0", n, f.mock.Requests(secrets[0]))
}

// TestFaultMidAnswer: faults that strike after the provider's headers. A
// stream can no longer fail over: the client can tell its answer broke (no
// [DONE], a malformed event relayed as it came). An answer that is not a
// stream is read whole before the client sees it, so a broken one (JSON
// cut short, the connection reset) fails over to another key. Either way
// the attempt settles instead of staying open, the key's health records
// the failure, and the proxy goes on serving. A stream stalled upstream
// ends at APIKEYROUTER_REQUEST_TIMEOUT.
func TestFaultMidAnswer(t *testing.T) {
	t.Parallel()
	f := newFleet(t, "APIKEYROUTER_REQUEST_TIMEOUT=1500ms")
	p := start(t, f.env...)
	c := newLoadClient(p, 30*time.Second)
	defer c.close()
	cheapest := map[string]string{"x-apikeyrouter-objective": "cost"} // mock-3
	for _, tc := range []struct {
		name   string
		fault  mockupstream.Fault
		stream bool
	}{
		{"reset mid-stream", mockupstream.Fault{Reset: mockupstream.MidStream, Times: 1}, true},
		{"reset mid-JSON", mockupstream.Fault{Reset: mockupstream.MidStream, Times: 1}, false},
		{"malformed SSE", mockupstream.Fault{Malformed: true, Times: 1}, true},
		{"malformed JSON", mockupstream.Fault{Malformed: true, Times: 1}, false},
		{"stall mid-stream past the request timeout", mockupstream.Fault{Stall: mockupstream.MidStream, Times: 1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := p.key("mock-3").pool()
			f.mock.SetFault(secrets[2], tc.fault)
			x := c.chat(context.Background(), chatRequest{text: words("w", 8), stream: tc.stream, headers: cheapest})
			switch {
			case !tc.stream && (!x.ok() || x.key == "mock-3"):
				t.Fatalf("the broken answer did not fail over: %v from %q", &x, x.key)
			case tc.stream && (x.complete || x.err == nil && (x.key != "mock-3" || x.status != http.StatusOK)):
				t.Fatalf("the client was not told its answer broke: %v from %q", &x, x.key)
			}
			waitFor(t, "the attempt to settle", 10*time.Second, func() bool { return p.openAttempts() == 0 })
			after := p.key("mock-3").pool()
			if after.Samples != before.Samples+1 || after.FailStreak != before.FailStreak+1 {
				t.Fatalf("the key's health did not record the failure: before %+v, after %+v", before, after)
			}
			// A success on the same key clears its failure streak.
			if y := c.chat(context.Background(), chatRequest{text: "next", stream: tc.stream, headers: cheapest}); !y.ok() || y.key != "mock-3" {
				t.Fatalf("the next request: %v", &y)
			}
			t.Logf("figures: fault=%q client_saw=%q", tc.name, brokenHow(&x))
		})
	}
}

// brokenHow says how a broken answer looked to its client.
func brokenHow(x *exchange) string {
	if x.err != nil {
		return "body error: " + x.err.Error()
	}
	return "a clean end after " + strconv.Itoa(len(x.body)) + " bytes"
}

// TestFaultSlowStream: a stream whose chunks come 30 ms apart is relayed
// whole, chunk by chunk, while other clients are served.
func TestFaultSlowStream(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	for _, s := range secrets {
		f.mock.SetFault(s, mockupstream.Fault{ChunkDelay: 30 * time.Millisecond})
	}
	p := start(t, f.env...)
	c := newLoadClient(p, 30*time.Second)
	defer c.close()
	text := words("slow", 20)
	xs := hammer(16, 16, func(i int) exchange {
		return c.chat(context.Background(), chatRequest{text: text, stream: i%2 == 0})
	})
	if bad := failures(xs); len(bad) > 0 {
		t.Fatalf("%d slow requests failed; first: %v", len(bad), bad[0])
	}
	for _, x := range xs {
		if x.completion != mockupstream.CountTokens(text) {
			t.Fatalf("a slow answer lost content: %v", &x)
		}
	}
}

// TestClientDisconnectMidStream: a client that goes away after the first
// chunk of a stream cancels the attempt: it settles as cancelled, the key
// is not penalised (no failure, no sample), nothing stays in flight — with
// the adapter in-process and as a plugin.
func TestClientDisconnectMidStream(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"inprocess", "plugin"} {
		t.Run(mode, func(t *testing.T) {
			f := newFleet(t, "APIKEYROUTER_ADAPTERS="+mode)
			for _, s := range secrets {
				f.mock.SetFault(s, mockupstream.Fault{ChunkDelay: 200 * time.Millisecond})
			}
			p := start(t, f.env...)
			c := newLoadClient(p, 30*time.Second)
			defer c.close()
			const n = 6
			for i := range n {
				ctx, cancel := context.WithCancel(context.Background())
				resp, err := c.send(ctx, "/v1/chat/completions", chatRequest{text: words("bye", 30), stream: true}.body(), nil)
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("request %d: %v %v", i, resp, err)
				}
				if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
					t.Fatalf("first chunk: %v", err)
				}
				cancel() // the client goes away mid-stream
				resp.Body.Close()
			}
			waitFor(t, "the cancelled attempts to settle", 10*time.Second, func() bool { return p.openAttempts() == 0 })
			for _, id := range []string{"mock-1", "mock-2", "mock-3"} {
				k := p.key(id)
				if pl := k.pool(); k.State != "active" || pl.State != "active" || pl.FailStreak != 0 || pl.Samples != 0 || pl.InFlight != 0 {
					t.Fatalf("%s was penalised by a client going away: %+v", id, k)
				}
			}
			waitFor(t, "a request line for the cancelled streams", 10*time.Second, func() bool {
				return strings.Contains(p.logs.String(), `"status":499`)
			})
			t.Logf("figures: mode=%s disconnects=%d keys_penalised=0 open_attempts=0", mode, n)
		})
	}
}

// TestBrokenStreamIsAnErrorForTheOpenAIClient: when the provider's stream
// breaks mid-answer, the official client must get an error, not a shorter
// answer that looks complete.
func TestBrokenStreamIsAnErrorForTheOpenAIClient(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	for _, s := range secrets {
		f.mock.SetFault(s, mockupstream.Fault{Reset: mockupstream.MidStream})
	}
	p := start(t, f.env...)
	c := client(p)
	stream := c.Chat.Completions.NewStreaming(context.Background(), chatParams(words("cut", 8)))
	chunks := 0
	for stream.Next() {
		chunks++
	}
	if stream.Err() == nil {
		t.Fatalf("the stream broke after %d chunk(s), and the client saw a complete answer", chunks)
	}
}
