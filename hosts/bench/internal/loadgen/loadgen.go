// Package loadgen is the benchmarks' load generator: a fixed number of
// keep-alive HTTP/1.1 connections, each sending the same request again as
// soon as the previous answer has been read (a closed loop, like wrk), for
// a fixed time. It records every answer's latency, time to first body byte
// and router overhead (x-apikeyrouter-overhead-us) in histograms.
package loadgen

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apikeyrouter/apikeyrouter/hosts/bench/internal/hist"
)

// Config is one load run.
type Config struct {
	// URL is the http:// URL to POST to.
	URL string
	// Header holds extra request header lines ("Name: value").
	Header []string
	// Body is the request body, sent as application/json.
	Body []byte
	// Conns is the number of connections, each with one request in flight.
	// Zero means 1.
	Conns int
	// Duration is how long new requests are sent; answers in flight at the
	// end are awaited. Required.
	Duration time.Duration
	// Requests, when not zero, ends the run sooner: after that many
	// attempts (requests sent, or connects that failed).
	Requests uint64
	// Timeout bounds one request, and a connect; zero means 10 s.
	Timeout time.Duration
}

// Result is what a run measured. Only complete 200 answers count as
// requests and enter the histograms; anything else is an error.
type Result struct {
	Requests uint64 `json:"requests"`
	Errors   uint64 `json:"errors"`
	// FirstError describes the first error, if any.
	FirstError string `json:"first_error,omitempty"`
	// Elapsed is from the start to the last answer.
	Elapsed time.Duration `json:"elapsed_ns"`
	// Latency is to the last byte of each answer, TTFB to the first byte
	// of its body, Overhead the x-apikeyrouter-overhead-us it carried.
	Latency  hist.Histogram `json:"latency"`
	TTFB     hist.Histogram `json:"ttfb"`
	Overhead hist.Histogram `json:"overhead"`
	// BodyMin and BodyMax are the shortest and longest body: a mock's
	// answers to one request all have the same length.
	BodyMin int64 `json:"body_min"`
	BodyMax int64 `json:"body_max"`
}

// maxConns bounds Config.Conns.
const maxConns = 1024

// Run runs the load and returns what it measured. An error means the run
// could not start (a bad configuration); failed requests are counted.
func Run(cfg Config) (*Result, error) {
	u, err := url.Parse(cfg.URL)
	switch {
	case err != nil:
		return nil, err
	case u.Scheme != "http" || u.Host == "":
		return nil, fmt.Errorf("loadgen: %q: want an http:// URL", cfg.URL)
	case cfg.Duration <= 0:
		return nil, errors.New("loadgen: the duration must be positive")
	case cfg.Conns > maxConns:
		return nil, fmt.Errorf("loadgen: at most %d connections", maxConns)
	}
	cfg.Conns = max(cfg.Conns, 1)
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	req, err := request(u, cfg.Header, cfg.Body)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	results := make([]Result, cfg.Conns)
	var sent atomic.Uint64
	next := func() bool { return cfg.Requests == 0 || sent.Add(1) <= cfg.Requests }
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			c := &client{addr: u.Host, req: req, timeout: cfg.Timeout}
			defer c.close()
			results[i] = c.loop(start, deadline, next)
		})
	}
	wg.Wait()
	total := &Result{BodyMin: -1}
	for i := range results {
		total.add(&results[i])
	}
	return total, nil
}

// request returns the bytes of the request to send.
func request(u *url.URL, header []string, body []byte) ([]byte, error) {
	var b strings.Builder
	b.WriteString("POST " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n")
	for _, h := range header {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.ContainsAny(h, "\r\n") || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("loadgen: header %q: want \"Name: value\"", h)
		}
		b.WriteString(strings.TrimSpace(name) + ": " + strings.TrimSpace(value) + "\r\n")
	}
	b.WriteString("Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	b.Write(body)
	return []byte(b.String()), nil
}

// loop sends requests on one connection until the deadline, or until
// next says no more.
func (c *client) loop(start, deadline time.Time, next func() bool) Result {
	r := Result{BodyMin: -1}
	fail := func(err error) {
		r.Errors++
		if r.FirstError == "" {
			r.FirstError = err.Error()
		}
	}
	for t := time.Now(); t.Before(deadline) && next(); t = time.Now() {
		if c.conn == nil {
			if err := c.dial(); err != nil {
				fail(err)
				time.Sleep(10 * time.Millisecond) // a refused connect must not spin
				continue
			}
		}
		resp, err := c.do(t)
		end := time.Now()
		switch {
		case err != nil:
			fail(err)
			c.close()
			continue
		case resp.status != 200:
			fail(fmt.Errorf("status %d", resp.status))
		default:
			r.Requests++
			r.Latency.Record(end.Sub(t))
			r.TTFB.Record(resp.ttfb)
			if resp.hasOver {
				r.Overhead.Record(resp.overhead)
			}
			if r.BodyMin < 0 || resp.bodyLen < r.BodyMin {
				r.BodyMin = resp.bodyLen
			}
			r.BodyMax = max(r.BodyMax, resp.bodyLen)
		}
		r.Elapsed = end.Sub(start)
		if resp.close {
			c.close()
		}
	}
	return r
}

// add merges o into r.
func (r *Result) add(o *Result) {
	r.Requests += o.Requests
	r.Errors += o.Errors
	if r.FirstError == "" {
		r.FirstError = o.FirstError
	}
	r.Elapsed = max(r.Elapsed, o.Elapsed)
	r.Latency.Merge(&o.Latency)
	r.TTFB.Merge(&o.TTFB)
	r.Overhead.Merge(&o.Overhead)
	if o.BodyMin >= 0 && (r.BodyMin < 0 || o.BodyMin < r.BodyMin) {
		r.BodyMin = o.BodyMin
	}
	r.BodyMax = max(r.BodyMax, o.BodyMax)
}
