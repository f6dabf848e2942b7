package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// Restarts back off: the first restart after a plugin died is immediate;
// each start that fails, or whose plugin dies within healthyAfter, doubles
// the wait before the next, from restartBackoffMin to restartBackoffMax.
const (
	restartBackoffMin = 100 * time.Millisecond
	restartBackoffMax = 30 * time.Second
	healthyAfter      = time.Minute
)

// backoff is the wait before a restart after fails starts in a row that
// failed or did not last healthyAfter (the plugin's death counts as one).
func backoff(fails int) time.Duration {
	if fails <= 1 {
		return 0
	}
	return min(restartBackoffMin<<min(fails-2, 16), restartBackoffMax)
}

// supervised is an adapter plugin subprocess that is restarted when it
// dies. Restarts run in the background, one at a time, with [backoff]
// between them. A call waits for a restart under way until its context
// ends and fails at once while restarts back off, as [abi.Cancelled]
// either way: the host abandons the attempt and no key is blamed — a
// connection error would cool down every key of the provider for the
// plugin's fault. Calls in flight on a dead plugin fail too, cancelled
// as well (see sdk.Client.Adapter).
type supervised struct {
	cfg     sdk.ClientConfig
	log     hclog.Logger
	stderr  *stderrTail // the plugin's stderr since its latest start
	secrets *secretSet  // every secret handed to the plugin, redacted from its log

	mu        sync.Mutex // guards the fields below; never held across a start or a call
	client    *sdk.Client
	startedAt time.Time
	fails     int                // as [backoff] counts them
	retryAt   time.Time          // no start before then
	starting  chan struct{}      // closed when the start under way ends; nil if none is
	cancel    context.CancelFunc // abandons the start under way
	check     *aliveCheck        // the ping under way, if any
	stopped   bool
}

func newSupervised(c *sdk.Client, cfg sdk.ClientConfig, log hclog.Logger, stderr *stderrTail, secrets *secretSet) *supervised {
	return &supervised{cfg: cfg, log: log, stderr: stderr, secrets: secrets, client: c, startedAt: time.Now()}
}

// adapter returns the running plugin, restarting a dead one. With wait, it
// waits for a restart under way until ctx ends; without, it only starts one.
func (s *supervised) adapter(ctx context.Context, wait bool) (*sdk.Client, error) {
	for {
		s.mu.Lock()
		c := s.client
		if c != nil && c.Exited() {
			s.diedLocked(c)
			c = nil
		}
		if c != nil || s.stopped {
			s.mu.Unlock()
			if c == nil {
				return nil, &sdk.Error{Result: abi.Cancelled, Message: "adapter plugin stopped"}
			}
			return c, nil
		}
		started := s.restartLocked()
		retryIn := time.Until(s.retryAt)
		s.mu.Unlock()
		switch {
		case started == nil:
			return nil, &sdk.Error{Result: abi.Cancelled,
				Message: fmt.Sprintf("adapter plugin is down; next start in %v", retryIn.Round(time.Millisecond))}
		case !wait:
			return nil, &sdk.Error{Result: abi.Cancelled, Message: "adapter plugin is restarting"}
		}
		select {
		case <-started:
		case <-ctx.Done():
			return nil, &sdk.Error{Result: abi.Cancelled, Message: "adapter plugin is restarting: " + ctx.Err().Error()}
		}
	}
}

// pingWait bounds how long a failed call waits for its plugin's ping: a
// live plugin answers in well under a millisecond, a dead one fails at
// once, and one that hangs must not hold the failover.
const pingWait = time.Second

// aliveCheck is a ping of a plugin under way, which the calls that failed
// on it share.
type aliveCheck struct {
	c    *sdk.Client
	done chan struct{}
}

// failed is told of a call on c that failed. A connection error may mean
// the plugin died a moment ago (before Exited says so): one that no longer
// answers a ping is replaced, so the failover's next attempt can reach a
// live one. It waits for the ping at most pingWait, and no longer than
// ctx lasts.
func (s *supervised) failed(ctx context.Context, c *sdk.Client, err error) {
	if sdk.ClassifyError(err) != abi.ConnectionError {
		return
	}
	s.mu.Lock()
	chk := s.check
	if chk == nil || chk.c != c {
		chk = &aliveCheck{c: c, done: make(chan struct{})}
		s.check = chk
		go func() {
			defer close(chk.done)
			alive := c.Alive()
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.check == chk {
				s.check = nil
			}
			if !alive {
				s.diedLocked(c)
				s.restartLocked()
			}
		}()
	}
	s.mu.Unlock()
	t := time.NewTimer(pingWait)
	defer t.Stop()
	select {
	case <-chk.done:
	case <-t.C:
	case <-ctx.Done():
	}
}

// diedLocked retires c, the plugin that was running, and sets when the
// next start may be. The caller holds mu.
func (s *supervised) diedLocked(c *sdk.Client) {
	if s.client != c {
		return // retired already
	}
	s.client = nil
	now := time.Now()
	ran := now.Sub(s.startedAt)
	if ran >= healthyAfter {
		s.fails = 0
	}
	s.fails++
	s.retryAt = now.Add(backoff(s.fails))
	s.log.Warn("adapter plugin is gone; restarting it", "pid", c.Pid(), "ran", ran.Round(time.Millisecond).String(),
		"retry_in", backoff(s.fails).String())
	go c.Kill() // it may linger, unresponsive: a graceful stop waits for it
}

// restartLocked starts a plugin in the background unless one is starting
// or restarts back off, and returns a channel closed when the start under
// way ends (nil if none is). The caller holds mu.
func (s *supervised) restartLocked() <-chan struct{} {
	if s.starting != nil {
		return s.starting
	}
	if s.stopped || time.Now().Before(s.retryAt) {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.starting, s.cancel = done, cancel
	go s.restart(ctx, cancel, done)
	return done
}

// restart starts a plugin, with ctx for the start-up, and closes done once
// it is in place or has failed.
func (s *supervised) restart(ctx context.Context, cancel context.CancelFunc, done chan struct{}) {
	defer close(done)
	defer cancel()
	s.stderr.reset()
	c, err := sdk.NewClientContext(ctx, s.cfg)
	s.mu.Lock()
	s.starting, s.cancel = nil, nil
	stopped := s.stopped
	switch {
	case stopped:
	case err != nil:
		s.fails++
		wait := backoff(s.fails)
		s.retryAt = time.Now().Add(wait)
		s.log.Error("adapter plugin failed to start", "err", err.Error(), "stderr", s.stderr.String(),
			"retry_in", wait.String(), "retry_at", s.retryAt.UTC().Format(time.RFC3339Nano))
	default:
		s.client, s.startedAt = c, time.Now()
		s.log.Info("adapter plugin restarted", "pid", c.Pid())
	}
	s.mu.Unlock()
	if stopped && err == nil {
		c.Kill()
	}
}

func (s *supervised) pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client == nil {
		return 0
	}
	return s.client.Pid()
}

// stop kills the plugin, abandoning a start under way, and returns once
// it is gone. Calls fail from then on.
func (s *supervised) stop() {
	s.mu.Lock()
	s.stopped = true
	c, cancel, starting := s.client, s.cancel, s.starting
	s.client = nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if c != nil {
		c.Kill()
	}
	if starting != nil {
		<-starting
	}
}

func (s *supervised) Info(ctx context.Context) (sdk.Info, error) {
	c, err := s.adapter(ctx, true)
	if err != nil {
		return sdk.Info{}, err
	}
	info, err := c.Adapter().Info(ctx)
	if err != nil {
		s.failed(ctx, c, err)
	}
	return info, err
}

// EstimateTokens does not wait for a restart: the router then estimates
// without the adapter, and the attempt that follows waits instead.
func (s *supervised) EstimateTokens(ctx context.Context, req *sdk.Request) (int64, error) {
	s.secrets.add(req.Secret)
	c, err := s.adapter(ctx, false)
	if err != nil {
		return 0, err
	}
	n, err := c.Adapter().EstimateTokens(ctx, req)
	if err != nil {
		s.failed(ctx, c, err)
	}
	return n, err
}

func (s *supervised) Do(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	s.secrets.add(req.Secret)
	c, err := s.adapter(ctx, true)
	if err != nil {
		return nil, err
	}
	resp, err := c.Adapter().Do(ctx, req)
	if err != nil {
		s.failed(ctx, c, err)
	}
	return resp, err
}

func (s *supervised) Models(ctx context.Context, req *sdk.Request) ([]sdk.Model, error) {
	s.secrets.add(req.Secret)
	c, err := s.adapter(ctx, true)
	if err != nil {
		return nil, err
	}
	models, err := c.Adapter().Models(ctx, req)
	if err != nil {
		s.failed(ctx, c, err)
	}
	return models, err
}

// Interface guards
var _ sdk.Adapter = (*supervised)(nil)
