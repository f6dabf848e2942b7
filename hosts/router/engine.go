package router

import (
	"context"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// Engine is a build of the routing core the Router drives, through the
// byte-level calls of abi/README.md. The core compiled into this process
// ([NativeEngine]) and the WebAssembly one under wazero (the proxy's) give
// the same bytes for the same inputs. The Router serialises the calls, and
// reads what Apply and Route return before it makes the next one: an
// engine may reuse that memory (Snapshot's it keeps).
type Engine interface {
	Apply(ctx context.Context, event []byte) ([]byte, error)
	Route(ctx context.Context, request []byte) ([]byte, error)
	Snapshot(ctx context.Context) ([]byte, error)
	Restore(ctx context.Context, snapshot []byte) error
}

// NativeEngine returns the core compiled into this process, empty.
func NativeEngine() Engine {
	m, err := core.New(abi.Config{})
	if err != nil {
		panic(err) // the zero config is valid
	}
	return &native{m: m}
}

// native adapts *core.Machine to Engine.
type native struct {
	m   *core.Machine
	out []byte // what Apply and Route return, written over by the next
}

func (n *native) Apply(_ context.Context, in []byte) ([]byte, error) {
	return n.keep(n.m.ApplyMsg(n.out[:0], in))
}

func (n *native) Route(_ context.Context, in []byte) ([]byte, error) {
	return n.keep(n.m.RouteMsg(n.out[:0], in))
}

// keep keeps a call's output buffer for the next call to write over.
func (n *native) keep(out []byte, err error) ([]byte, error) {
	n.out = out
	return out, err
}

func (n *native) Snapshot(context.Context) ([]byte, error) { return n.m.SnapshotMsg(nil) }

func (n *native) Restore(_ context.Context, snap []byte) error {
	m, err := core.RestoreMsg(snap)
	if err != nil {
		return err
	}
	n.m = m
	return nil
}

// Interface guards
var _ Engine = (*native)(nil)
