package sdk

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk/internal/adapterpb"
)

// AdapterPlugin is the go-plugin glue that serves an [Adapter] over gRPC
// (in the plugin) and dispenses one (in the host). Plugins set Impl; hosts
// leave it nil. Only gRPC is supported: net/rpc cannot stream a body.
type AdapterPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Impl is the adapter the plugin serves.
	Impl Adapter
}

// GRPCServer registers Impl with the plugin's gRPC server.
func (p *AdapterPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	adapterpb.RegisterAdapterServer(s, &grpcServer{impl: p.Impl})
	return nil
}

// GRPCClient returns the host's [Adapter] for the plugin on conn. go-plugin
// cancels ctx when the plugin process exits; calls in flight then fail with
// [abi.ConnectionError].
func (p *AdapterPlugin) GRPCClient(ctx context.Context, _ *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return newGRPCClient(adapterpb.NewAdapterClient(conn), ctx), nil
}

// Interface guards
var (
	_ plugin.Plugin     = (*AdapterPlugin)(nil)
	_ plugin.GRPCPlugin = (*AdapterPlugin)(nil)
)
