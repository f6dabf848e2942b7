package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/bench/internal/hist"
	"github.com/apikeyrouter/apikeyrouter/hosts/bench/internal/loadgen"
)

// scenario is one shape of load, run against several targets in turn.
type scenario struct {
	id, title string
	stream    bool
	conns     int
	targets   []string
}

// cell is what one target measured in one scenario, over all rounds.
type cell struct {
	requests, errors        uint64
	elapsed                 time.Duration
	latency, ttfb, overhead hist.Histogram
	bodyMin, bodyMax        int64
	// cpu is the target's CPU time (its process tree), mockCPU the mock
	// upstream's and loadCPU the load generator's, over the rounds.
	cpu, mockCPU, loadCPU time.Duration
	// rps is each round's requests per second.
	rps []float64
}

// add adds one round's result.
func (c *cell) add(r *loadgen.Result) {
	if c.requests == 0 || r.BodyMin < c.bodyMin {
		c.bodyMin = r.BodyMin
	}
	c.bodyMax = max(c.bodyMax, r.BodyMax)
	c.requests += r.Requests
	c.errors += r.Errors
	c.elapsed += r.Elapsed
	c.latency.Merge(&r.Latency)
	c.ttfb.Merge(&r.TTFB)
	c.overhead.Merge(&r.Overhead)
	c.rps = append(c.rps, float64(r.Requests)/r.Elapsed.Seconds())
}

// perRequest returns d divided by the requests.
func (c *cell) perRequest(d time.Duration) time.Duration {
	if c.requests == 0 {
		return 0
	}
	return d / time.Duration(c.requests)
}

// rate returns the requests per second over all rounds.
func (c *cell) rate() float64 {
	if c.elapsed <= 0 {
		return 0
	}
	return float64(c.requests) / c.elapsed.Seconds()
}

// chatBody returns the request body: a short conversation, as most chat
// calls are. A stream asks for nothing but the stream, as the OpenAI SDKs
// do by default (so apikeyrouter adds stream_options.include_usage
// upstream, and drops the usage chunk it asked for).
func chatBody(model string, stream bool) string {
	s := ""
	if stream {
		s = `"stream":true,`
	}
	return `{"model":"` + model + `",` + s + `"messages":[{"role":"system","content":"You are a concise assistant."},` +
		`{"role":"user","content":"In two sentences, explain why a gateway in front of an LLM API should add as little latency ` +
		`as it can to every call it forwards, and what it should measure to prove it."}]}`
}

// loader runs the load generator process.
type loader struct {
	bin, dir string
}

// bodyFile writes the request body for a model and returns its file.
func (l *loader) bodyFile(model string, stream bool) (string, error) {
	name := filepath.Join(l.dir, fmt.Sprintf("body-%s-%t.json", model, stream))
	return name, os.WriteFile(name, []byte(chatBody(model, stream)), 0o644)
}

// maxErrorRate is the share of failed requests above which a round is
// void: it would measure errors, not answers.
const maxErrorRate = 0.001

// round runs the load generator against t for d and adds what it measured
// to c (when c is not nil: a warm-up only counts t.sent).
func (l *loader) round(ctx context.Context, t *target, sc *scenario, d time.Duration, c *cell) error {
	body, err := l.bodyFile(t.model, sc.stream)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, d+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, l.bin, "-url", t.url+"/v1/chat/completions", "-H", "Authorization: Bearer "+t.token,
		"-body-file", body, "-conns", strconv.Itoa(sc.conns), "-duration", d.String())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cpu0, err := cpuTime(t.proc.pids)
	if err != nil {
		return err
	}
	mock0, err := cpuTime(t.upstream.proc.pids)
	if err != nil {
		return err
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("load against %s: %v: %s", t.id, err, stderr.Bytes())
	}
	cpu1, err := cpuTime(t.proc.pids)
	if err != nil {
		return fmt.Errorf("%s: %w (did it exit?)\n%s", t.id, err, t.proc.tail())
	}
	mock1, err := cpuTime(t.upstream.proc.pids)
	if err != nil {
		return err
	}
	var res loadgen.Result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return fmt.Errorf("load against %s: %w", t.id, err)
	}
	t.sent += res.Requests + res.Errors
	if total := res.Requests + res.Errors; total == 0 || float64(res.Errors) > maxErrorRate*float64(total) {
		return fmt.Errorf("%s, %s: %d of %d requests failed (first: %s)\n%s", sc.id, t.id, res.Errors, total, res.FirstError, t.proc.tail())
	}
	if c == nil {
		return nil
	}
	c.add(&res)
	c.cpu += cpu1 - cpu0
	c.mockCPU += mock1 - mock0
	c.loadCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	log.Printf("%-9s %-14s %8.0f req/s  p50 %7.1f µs  cpu %6.1f µs/req", sc.id, t.id, c.rps[len(c.rps)-1],
		us(res.Latency.Quantile(0.5)), us((cpu1-cpu0)/time.Duration(max(res.Requests, 1))))
	return nil
}

// us returns d in microseconds.
func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
