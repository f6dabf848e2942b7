package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
)

// Secrets and tokens of the run; the mocks accept any secret.
const (
	proxyKey   = "sk-akr-bench"
	adminToken = "akr-admin-bench"
	mockSecret = "sk-bench-1"
)

// target is one system under load, a process (tree) of its own on
// loopback.
type target struct {
	spec
	url string // root URL
	// token is the bearer the load generator sends.
	token string
	proc  *proc
	// upstream is the mock it forwards to (itself for a mock).
	upstream *target
	// sent counts the requests sent to it, warm-ups included (what its
	// /metrics should have counted).
	sent uint64
	// startPeak is its peak RSS from start to the end of the warm-up; the
	// peak under load is measured from there.
	startPeak int64
}

// spec says how to start a target.
type spec struct {
	id, label string
	// note says how it is configured, for the report.
	note string
	// bin is the binary for targets that are not an apikeyrouter, started
	// with args and env.
	bin  string
	args []string
	env  []string
	// router: an apikeyrouter (with /metrics and the overhead header),
	// with keys keys of provider, env added.
	router   bool
	provider string
	keys     int
	// upstream is the id of the mock it forwards to; empty means the
	// OpenAI mock.
	upstream string
	// model is the model the requests ask for; empty means gpt-4o-mini.
	model string
}

// launcher starts targets from the built binaries.
type launcher struct {
	bins, work string
	started    map[string]*target
}

// start starts a target on a free port and waits until it is ready.
func (l *launcher) start(ctx context.Context, s spec) (*target, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	t := &target{spec: s, url: "http://" + addr}
	if s.model == "" {
		t.model = "gpt-4o-mini"
	}
	up := s.upstream
	if up == "" {
		up = "mock"
	}
	t.upstream = l.started[up]
	if t.upstream == nil && s.bin != "mockupstream" && s.bin != "mockanthropic" {
		return nil, fmt.Errorf("%s: upstream %s is not started", s.id, up)
	}
	ready, readyToken := t.url+"/v1/models", ""
	switch {
	case s.router:
		env := append([]string{
			"PROXY_HOST=127.0.0.1", "PROXY_PORT=" + strconv.Itoa(port),
			"PROXY_API_KEY=" + proxyKey, "APIKEYROUTER_ADMIN_TOKEN=" + adminToken,
			"APIKEYROUTER_ENCRYPTION_KEY=bench-master-key", "APIKEYROUTER_DATA_DIR=" + filepath.Join(l.work, s.id),
		}, s.env...)
		prefix := "OPENAI"
		if s.provider == "anthropic" {
			prefix = "ANTHROPIC"
		}
		env = append(env, prefix+"_API_BASE="+t.upstream.url+"/v1")
		for i := 1; i <= s.keys; i++ {
			env = append(env, fmt.Sprintf("%s_API_KEY_%d=sk-bench-%d", prefix, i, i))
		}
		t.token, ready = proxyKey, t.url+"/readyz"
		t.proc, err = startProc(s.id, filepath.Join(l.bins, "apikeyrouter"), []string{"serve"}, env, l.work)
	case s.bin == "mockupstream":
		t.token, readyToken, t.upstream = mockSecret, mockSecret, t
		t.proc, err = startProc(s.id, filepath.Join(l.bins, s.bin), append([]string{"-addr", addr}, s.args...), s.env, l.work)
	case s.bin == "mockanthropic":
		t.upstream, ready = t, ""
		t.proc, err = startProc(s.id, filepath.Join(l.bins, s.bin), append([]string{"-addr", addr}, s.args...), s.env, l.work)
	default:
		t.proc, err = startProc(s.id, filepath.Join(l.bins, s.bin),
			append([]string{"-addr", addr, "-upstream", t.upstream.url, "-key", mockSecret}, s.args...), s.env, l.work)
	}
	if err != nil {
		return nil, err
	}
	if err := t.proc.waitReady(ctx, addr, ready, readyToken); err != nil {
		t.proc.stop()
		return nil, err
	}
	l.started[s.id] = t
	return t, nil
}
