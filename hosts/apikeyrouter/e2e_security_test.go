package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestClientHeadersNeverReachTheUpstream: a client's credentials,
// hop-by-hop headers and spoofable forwarding headers stop at the proxy —
// with the adapter in-process and as a plugin. The upstream sees the key's
// own secret as the only credential and a body with a Content-Length even
// when the client sent it chunked.
func TestClientHeadersNeverReachTheUpstream(t *testing.T) {
	t.Parallel()
	sent := map[string]string{
		"Connection":          "keep-alive, X-Hop-Secret",
		"X-Hop-Secret":        "hop-value",
		"Keep-Alive":          "timeout=5",
		"Upgrade":             "h2c",
		"Te":                  "trailers",
		"Proxy-Authorization": "Basic cHJveHk6cGFzcw==",
		"Proxy-Connection":    "keep-alive",
		"X-Forwarded-For":     "203.0.113.7",
		"X-Forwarded-Host":    "evil.example",
		"X-Forwarded-Proto":   "https",
		"X-Real-Ip":           "203.0.113.8",
		"Forwarded":           "for=203.0.113.9;proto=https",
		"Cookie":              "session=client-cookie",
		"X-Api-Key":           "client-x-api-key",
		"Api-Key":             "client-api-key",
		"Openai-Organization": "org-client",
	}
	for _, mode := range []string{"inprocess", "plugin"} {
		t.Run(mode, func(t *testing.T) {
			f := newRecordingFleet(t, "APIKEYROUTER_ADAPTERS="+mode)
			p := start(t, f.env...)
			for i, stream := range []bool{false, true} {
				body := chatRequest{text: fmt.Sprintf("headers %d", i), stream: stream}.body()
				req, err := http.NewRequest("POST", p.url+"/v1/chat/completions", io.NopCloser(strings.NewReader(string(body)))) // chunked
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range sent {
					req.Header.Set(k, v)
				}
				req.Header.Set("Authorization", "Bearer "+proxyKey)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d", resp.StatusCode)
				}
			}
			reqs := f.rec.Requests()
			if len(reqs) < 2 {
				t.Fatalf("%d requests reached the upstream, want 2", len(reqs))
			}
			for _, r := range reqs {
				for k := range sent {
					if v := r.Header.Values(k); len(v) > 0 {
						t.Errorf("the client's %s reached the upstream: %q", k, v)
					}
				}
				for k, vs := range r.Header {
					for _, v := range vs {
						if strings.Contains(v, proxyKey) || strings.Contains(v, "hop-value") || strings.Contains(v, "203.0.113.") {
							t.Errorf("upstream header %s: %q carries what the client sent", k, v)
						}
					}
				}
				if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "Bearer sk-e2e-secret-") {
					t.Errorf("upstream Authorization %q, want the key's secret", auth)
				}
				if len(r.TransferEncoding) > 0 {
					t.Errorf("upstream Transfer-Encoding %v: the client's framing went through", r.TransferEncoding)
				}
			}
			t.Logf("figures: mode=%s upstream_requests=%d client_headers_forwarded=0", mode, len(reqs))
		})
	}
}

// rawExchange sends a raw HTTP/1.1 request to p and returns the raw
// status line and header lines of the answer, and its body.
func rawExchange(t *testing.T, p *proc, request string) (status string, headers []string, body string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(p.url, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	r := textproto.NewReader(bufio.NewReader(conn))
	status, err = r.ReadLine()
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	for {
		line, err := r.ReadLine()
		if err != nil {
			t.Fatalf("headers: %v", err)
		}
		if line == "" {
			break
		}
		headers = append(headers, line)
	}
	b, _ := io.ReadAll(r.R)
	return status, headers, string(b)
}

// headerLine is a well-formed header line: a token, a colon, a value with
// no control characters.
var headerLine = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+.^_` + "`" + `|~-]+: [^\x00-\x08\x0a-\x1f\x7f]*$`)

// TestHeaderInjection: CR or LF smuggled into a header value, into the
// objective header or into a model name that answers echo never makes a
// header of its own, and never ends up raw in a header.
func TestHeaderInjection(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	p := start(t, f.env...)
	request := func(extraHeader, body string) string {
		return "POST /v1/chat/completions HTTP/1.1\r\nHost: proxy\r\nAuthorization: Bearer " + proxyKey +
			"\r\nContent-Type: application/json\r\nConnection: close\r\n" + extraHeader +
			fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body
	}
	good := `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`
	for _, tc := range []struct {
		name, header, body, status string
	}{
		{"bare CR in the objective header", "x-apikeyrouter-objective: cost\rX-Injected: yes\r\n", good, "400"},
		{"CR in X-Request-Id", "X-Request-Id: abc\rX-Injected: yes\r\n", good, "400"},
		{"CRLF in a JSON objective", "x-apikeyrouter-objective: {\"primary\":\"cost\\r\\nX-Injected: yes\"}\r\n", good, "400"},
		{"CRLF in the model name", "", `{"model":"gpt-4o-mini\r\nX-Injected: yes","messages":[]}`, "404"},
		{"escaped CRLF in the model name", "", `{"model":"gpt-4o-mini\u000d\u000aX-Injected: yes","messages":[]}`, "404"},
		{"LF in the model name", "", `{"model":"gpt\nX-Injected: yes","messages":[]}`, "404"},
		{"a control character in the request id", "X-Request-Id: a\x01b\r\n", good, "400"},
		{"a request id that is not a token", "X-Request-Id: <script>\r\n", good, "200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, headers, body := rawExchange(t, p, request(tc.header, tc.body))
			if !strings.Contains(status, " "+tc.status+" ") {
				t.Fatalf("status %q, want %s; body %s", status, tc.status, body)
			}
			for _, h := range headers {
				if strings.HasPrefix(strings.ToLower(h), "x-injected") || !headerLine.MatchString(h) {
					t.Fatalf("header line %q", h)
				}
			}
		})
	}
}

// TestAuthRejections: the client API and the admin API each take only
// their own token, in a bearer header, whole; a revoked virtual key is
// refused at once.
func TestAuthRejections(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	p := start(t, f.env...)
	good := []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`)
	for _, tc := range []struct {
		name, path, auth string
		status           int
		code             string
	}{
		{"client: none", "/v1/chat/completions", "", 401, "missing_api_key"},
		{"client: empty bearer", "/v1/chat/completions", "Bearer ", 401, "missing_api_key"},
		{"client: basic", "/v1/chat/completions", "Basic " + proxyKey, 401, "missing_api_key"},
		{"client: no scheme", "/v1/chat/completions", proxyKey, 401, "missing_api_key"},
		{"client: a prefix of the key", "/v1/chat/completions", "Bearer " + proxyKey[:len(proxyKey)-1], 401, "invalid_api_key"},
		{"client: the key and more", "/v1/chat/completions", "Bearer " + proxyKey + "0", 401, "invalid_api_key"},
		{"client: two tokens", "/v1/chat/completions", "Bearer " + proxyKey + " " + proxyKey, 401, "invalid_api_key"},
		{"client: the admin token", "/v1/chat/completions", "Bearer " + adminToken, 401, "invalid_api_key"},
		{"client: a provider secret", "/v1/chat/completions", "Bearer " + secrets[0], 401, "invalid_api_key"},
		{"models: the admin token", "/v1/models", "Bearer " + adminToken, 401, "invalid_api_key"},
		{"admin: none", "/admin/v1/keys", "", 401, "missing_admin_token"},
		{"admin: the client key", "/admin/v1/keys", "Bearer " + proxyKey, 401, "invalid_admin_token"},
		{"admin: a prefix", "/admin/v1/keys", "Bearer " + adminToken[:10], 401, "invalid_admin_token"},
		{"admin: unknown path, no token", "/admin/v1/nothing", "", 401, "missing_admin_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method, body := "POST", good
			if !strings.HasSuffix(tc.path, "completions") {
				method, body = "GET", nil
			}
			req, _ := http.NewRequest(method, p.url+tc.path, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var e struct{ Error struct{ Code string } }
			json.Unmarshal(b, &e)
			if resp.StatusCode != tc.status || e.Error.Code != tc.code {
				t.Fatalf("%d %s, want %d %s", resp.StatusCode, b, tc.status, tc.code)
			}
		})
	}

	token := createClient(t, p, `{"id":"gone"}`)
	if resp, body := p.call("POST", "/v1/chat/completions", token, "application/json", good); resp.StatusCode != 200 {
		t.Fatalf("a fresh virtual key: %d %s", resp.StatusCode, body)
	}
	if resp, body := p.call("DELETE", "/admin/v1/clients/gone", adminToken, "", nil); resp.StatusCode/100 != 2 {
		t.Fatalf("delete the client: %d %s", resp.StatusCode, body)
	}
	if resp, body := p.call("POST", "/v1/chat/completions", token, "application/json", good); resp.StatusCode != 401 {
		t.Fatalf("a deleted virtual key: %d %s", resp.StatusCode, body)
	}
}

// createClient creates a virtual client key and returns its token.
func createClient(t *testing.T, p *proc, spec string) string {
	t.Helper()
	resp, body := p.call("POST", "/admin/v1/clients", adminToken, "application/json", []byte(spec))
	var c struct{ Token string }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &c) != nil || c.Token == "" {
		t.Fatalf("create client %s: %d %s", spec, resp.StatusCode, body)
	}
	return c.Token
}

// TestVirtualKeyScopes: a virtual key's allowed models, requests per
// minute and budget are enforced on every request, and its model list
// shows only what it may use.
func TestVirtualKeyScopes(t *testing.T) {
	t.Parallel()
	f := newFleet(t)
	p := start(t, f.env...)
	chat := func(token string) (int, string) {
		resp, body := p.call("POST", "/v1/chat/completions", token, "application/json",
			[]byte(`{"model":"gpt-4o-mini","max_tokens":8,"messages":[{"role":"user","content":"scoped"}]}`))
		var e struct{ Error struct{ Code string } }
		json.Unmarshal([]byte(body), &e)
		return resp.StatusCode, e.Error.Code
	}

	narrow := createClient(t, p, `{"id":"narrow","models":["gpt-4o"]}`)
	if status, code := chat(narrow); status != 403 || code != "model_not_allowed" {
		t.Fatalf("a model outside the scope: %d %s", status, code)
	}
	if _, body := p.call("GET", "/v1/models", narrow, "", nil); strings.Contains(body, "gpt-4o-mini") {
		t.Fatalf("the scoped model list shows gpt-4o-mini: %s", body)
	}

	slow := createClient(t, p, `{"id":"slow","rpm":5}`)
	for i := range 5 {
		if status, code := chat(slow); status != 200 {
			t.Fatalf("request %d of 5 per minute: %d %s", i+1, status, code)
		}
	}
	resp, body := p.call("POST", "/v1/chat/completions", slow, "application/json",
		[]byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"one too many"}]}`))
	if resp.StatusCode != 429 || !strings.Contains(body, "client_rate_limited") || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("the sixth request in a minute: %d %s (Retry-After %q)", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}

	poor := createClient(t, p, `{"id":"poor","budgets":[{"period":"monthly","limit_usd":"0.00002","enforcement":"hard"}]}`)
	served := 0
	for {
		status, code := chat(poor)
		if status == 429 && code == "budget_exceeded" {
			break
		}
		if status != 200 || served > 100 {
			t.Fatalf("request %d on a $0.00002 budget: %d %s", served+1, status, code)
		}
		served++
	}
	if b := p.budget("poor-monthly"); b.spent > b.limit {
		t.Fatalf("the client's budget overspent: %d of %d", b.spent, b.limit)
	}
	t.Logf("figures: model_not_allowed=403 rpm_6th=429 budget_served=%d then 429 budget_exceeded, overspend=0", served)
}

// TestSlowClientsDoNotStarveOthers: 64 clients that send their headers a
// byte at a time and 8 that dribble a body hold connections open, yet
// normal requests are served at once; the header dribblers are cut off by
// the server's ReadHeaderTimeout (10 s).
func TestSlowClientsDoNotStarveOthers(t *testing.T) {
	t.Parallel()
	f := newFleet(t, "LOG_LEVEL=warn")
	p := start(t, f.env...)
	addr := strings.TrimPrefix(p.url, "http://")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	dribble := func(conn net.Conn, msg string) error {
		for i := range len(msg) {
			if _, err := conn.Write([]byte{msg[i]}); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(300 * time.Millisecond):
			}
		}
		return nil
	}
	headerCut := make(chan time.Duration, 64)
	for i := range 64 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		wg.Go(func() {
			start := time.Now()
			if dribble(conn, fmt.Sprintf("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Pad-%d: %s\r\n", i, strings.Repeat("a", 200))) != nil &&
				ctx.Err() == nil {
				headerCut <- time.Since(start)
			}
		})
	}
	for range 8 {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		wg.Go(func() {
			head := "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + proxyKey +
				"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
			if _, err := io.WriteString(conn, head); err == nil {
				dribble(conn, strings.Repeat(" ", 100000))
			}
		})
	}
	c := newLoadClient(p, 5*time.Second) // a starved request fails here
	defer c.close()
	for i := range 20 {
		if x := c.chat(context.Background(), chatRequest{text: fmt.Sprintf("not starved %d", i), stream: i%2 == 0}); !x.ok() {
			t.Fatalf("a normal request beside slow clients: %v", &x)
		}
	}
	var slowest time.Duration
	for range 64 {
		select {
		case d := <-headerCut:
			slowest = max(slowest, d)
		case <-time.After(30 * time.Second):
			t.Fatal("a client dribbling its headers was not cut off within 30 s")
		}
	}
	t.Logf("figures: header_dribblers=64 body_dribblers=8 normal_requests=20 served=20; dribblers cut after at most %v",
		slowest.Round(100*time.Millisecond))
}

// TestConfigErrorsNeverShowSecrets: a config file the proxy refuses —
// an unknown field beside a secret read from the environment, a secret
// used where an id goes — stops it with a message that names the problem
// and never shows the secret.
func TestConfigErrorsNeverShowSecrets(t *testing.T) {
	t.Parallel()
	const secret = "sk-config-secret-5555aaaa"
	for _, tc := range []struct{ name, yaml string }{
		{"unknown field beside a secret", "keys:\n  - {id: k, provider: openai, secret: \"${THE_SECRET}\", bogus: 1}\n"},
		{"a secret in an invalid provider id", "providers:\n  \"${THE_SECRET} x\": {base_url: \"http://127.0.0.1:1/v1\"}\n"},
		{"a secret in a malformed document", "keys: [{id: k, secret: \"${THE_SECRET}\"\n"},
		{"a secret as a budget's limit", "budgets:\n  - {id: b, limit_usd: \"${THE_SECRET}\"}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(bins, "apikeyrouter"), "serve")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "APIKEYROUTER_CONFIG=" + path, "THE_SECRET=" + secret,
				"APIKEYROUTER_DATA_DIR=" + filepath.Join(dir, "data"), "PROXY_API_KEY=" + proxyKey, "PROXY_PORT=1"}
			out, err := cmd.CombinedOutput()
			if err == nil || ctx.Err() != nil || !strings.Contains(string(out), "config file") {
				t.Fatalf("exit %v:\n%s", err, out)
			}
			if strings.Contains(string(out), secret) || strings.Contains(string(out), secret[3:]) {
				t.Fatalf("the secret is in the error:\n%s", out)
			}
			t.Logf("figures: %s", strings.TrimSpace(string(out)))
		})
	}
}
