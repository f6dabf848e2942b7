package sdk

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// InheritedEnv names the only host environment variables a plugin
// subprocess inherits. The host's environment holds provider keys and the
// store's encryption key, so it is not passed on wholesale.
var InheritedEnv = []string{
	"PATH", "HOME", "TMPDIR", "TZ", "LOG_LEVEL",
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
	"SSL_CERT_FILE", "SSL_CERT_DIR",
}

// ClientConfig says how to start an adapter plugin. It holds no process
// state, so the same value starts a plugin again after it died.
type ClientConfig struct {
	// Path is the plugin executable. Required.
	Path string
	// Args are its command-line arguments; nil means none.
	Args []string
	// Env holds extra "KEY=value" entries for the plugin's environment, on
	// top of the [InheritedEnv] variables the host has set.
	Env []string
	// Logger receives the client's logs and the plugin's stderr. Nil means
	// an hclog logger named "plugin" writing to os.Stderr at Info level.
	Logger hclog.Logger
	// StartTimeout bounds the plugin's start-up handshake. Zero means one
	// minute.
	StartTimeout time.Duration
	// Stderr, if set, also receives the plugin's stderr as it wrote it,
	// line by line: what a plugin that fails to start says, which the
	// Logger shows only at debug level. Nil means the Logger only.
	Stderr io.Writer
}

// Client is a running adapter plugin subprocess. The host keeps one per
// provider, checks [Client.Exited] and replaces a dead one with
// [Client.Restart]; calls in flight when the plugin dies fail promptly with
// [abi.ConnectionError]. Plugins are started Managed: plugin.CleanupClients
// kills them all at host exit.
type Client struct {
	cfg     ClientConfig
	plugin  *plugin.Client
	adapter Adapter
	pid     int
}

// NewClient starts the plugin cfg describes, completes the handshake and
// dispenses its [Adapter].
func NewClient(cfg ClientConfig) (*Client, error) {
	return NewClientContext(context.Background(), cfg)
}

// NewClientContext is [NewClient] with a context for the start-up: if ctx
// ends before the plugin has started, the plugin is killed and ctx's error
// returned. A plugin that started outlives ctx.
func NewClientContext(ctx context.Context, cfg ClientConfig) (*Client, error) {
	if cfg.Path == "" {
		return nil, fmt.Errorf("sdk: start plugin: no path")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = hclog.New(&hclog.LoggerOptions{Name: "plugin", Output: os.Stderr, Level: hclog.Info})
	}
	// go-plugin holds its client's lock for the whole start-up, so its Kill
	// waits for StartTimeout: the process is killed through its own
	// context instead, which ends the start-up at once.
	abandon, kill := context.WithCancel(context.Background())
	cmd := exec.CommandContext(abandon, cfg.Path, cfg.Args...)
	cmd.Env = append(inheritedEnv(), cfg.Env...)
	killWithHost(cmd)
	pc := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          PluginMap(nil),
		Cmd:              cmd,
		SkipHostEnv:      true,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Managed:          true,
		Logger:           logger,
		StartTimeout:     cfg.StartTimeout,
		Stderr:           cfg.Stderr,
		GRPCDialOptions: []grpc.DialOption{grpc.WithDefaultCallOptions(
			grpc.MaxCallRecvMsgSize(MaxMessageBytes), grpc.MaxCallSendMsgSize(MaxMessageBytes))},
	})
	stop := context.AfterFunc(ctx, kill)
	adapter, err := dispense(pc)
	if !stop() { // ctx ended: the plugin is killed, started or not
		err = ctx.Err()
	}
	if err != nil {
		kill()
		pc.Kill()
		return nil, fmt.Errorf("sdk: start plugin %s: %w", cfg.Path, err)
	}
	c := &Client{cfg: cfg, plugin: pc, adapter: adapter}
	if rc := pc.ReattachConfig(); rc != nil {
		c.pid = rc.Pid
	}
	return c, nil
}

// dispense connects to a started plugin and returns its Adapter.
func dispense(pc *plugin.Client) (Adapter, error) {
	rpc, err := pc.Client()
	if err != nil {
		return nil, err
	}
	raw, err := rpc.Dispense(PluginName)
	if err != nil {
		return nil, err
	}
	adapter, ok := raw.(Adapter)
	if !ok {
		return nil, fmt.Errorf("plugin dispensed %T, not an adapter", raw)
	}
	return adapter, nil
}

// inheritedEnv returns the [InheritedEnv] variables the host has set.
func inheritedEnv() []string {
	var env []string
	for _, name := range InheritedEnv {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// Adapter returns the plugin's adapter. Its calls fail with
// [abi.Cancelled] once the plugin has exited: the host abandons them, and
// the keys they were made with are not blamed for the plugin's death.
func (c *Client) Adapter() Adapter { return c.adapter }

// Pid returns the plugin process's id, for logs and supervision.
func (c *Client) Pid() int { return c.pid }

// Exited reports whether the plugin process has exited.
func (c *Client) Exited() bool { return c.plugin.Exited() }

// Alive reports whether the plugin answers a ping. Right after a plugin
// dies, Exited may still be false for a moment; Alive already knows.
func (c *Client) Alive() bool {
	if c.plugin.Exited() {
		return false
	}
	rpc, err := c.plugin.Client()
	return err == nil && rpc.Ping() == nil
}

// Kill stops the plugin process: gracefully if it answers, else by force.
// Calls in flight fail.
func (c *Client) Kill() { c.plugin.Kill() }

// Restart kills the plugin (if it still runs) and starts a new one from the
// same config.
func (c *Client) Restart() (*Client, error) {
	c.Kill()
	return NewClient(c.cfg)
}
