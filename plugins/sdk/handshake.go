package sdk

import (
	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Handshake is the go-plugin handshake shared by the host and every adapter
// plugin. It is a UX feature, not a security feature: the magic cookie only
// stops a user from running a plugin binary by hand by mistake, and lets the
// host refuse a binary that is not an adapter plugin. Bump ProtocolVersion
// when the wire protocol (adapter.proto) changes incompatibly.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "APIKEYROUTER_ADAPTER_PLUGIN",
	MagicCookieValue: "4f1c9a7e-provider-adapter",
}

// PluginName is the name under which an adapter plugin serves its
// [Adapter] and the host dispenses it.
const PluginName = "adapter"

// MaxMessageBytes bounds one gRPC message across the plugin boundary, in
// either direction. Requests carry the whole client body (long contexts,
// inline images), so gRPC's 4 MiB default is too small.
const MaxMessageBytes = 128 << 20

// PluginMap returns the plugin set served or dispensed under [PluginName]:
// plugins pass their adapter, hosts pass nil.
func PluginMap(impl Adapter) plugin.PluginSet {
	return plugin.PluginSet{PluginName: &AdapterPlugin{Impl: impl}}
}

// ServeConfig returns what [Serve] passes to plugin.Serve to serve impl:
// the [Handshake], [PluginMap] and a gRPC server that accepts messages up
// to [MaxMessageBytes]. logger is the plugin's own (it should write JSON to
// stderr, which the host reads); nil means go-plugin's default. A plugin
// that needs other serve options starts from it, and should then exit
// when its host is gone as [Serve] does.
func ServeConfig(impl Adapter, logger hclog.Logger) *plugin.ServeConfig {
	return &plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         PluginMap(impl),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, grpc.MaxRecvMsgSize(MaxMessageBytes), grpc.MaxSendMsgSize(MaxMessageBytes))...)
		},
		Logger: logger,
	}
}
