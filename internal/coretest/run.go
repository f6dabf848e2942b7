package coretest

import (
	"bytes"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// Core is one instance of a core build, driven through its byte-level
// surface. Call returns the encoded output, or an error carrying an
// [abi.Code] (use [abi.Errorf]) when the call itself failed.
type Core interface {
	Call(op string, in []byte) ([]byte, error)
}

// Run replays every vector on a fresh core from newCore and fails t where
// any output differs, in a single byte, from the recorded one.
func Run(t *testing.T, vectors []Vector, newCore func(t *testing.T) Core) {
	t.Helper()
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			c := newCore(t)
			for i, call := range v.Calls {
				got := Invoke(c, call)
				want := v.Results[i]
				if got.Code != want.Code || got.Message != want.Message || !bytes.Equal(got.Out, want.Out) {
					t.Fatalf("call %d (%s):\n got  code=%s msg=%q out=%x\n want code=%s msg=%q out=%x",
						i, call.Op, got.Code, got.Message, got.Out, want.Code, want.Message, want.Out)
				}
			}
		})
	}
}

// Invoke makes one call and records its result.
func Invoke(c Core, call Call) Result {
	out, err := c.Call(call.Op, call.In)
	if err != nil {
		code := abi.CodeOf(err)
		msg := err.Error()
		if e, ok := err.(*abi.Error); ok {
			msg = e.Message
		}
		return Result{Code: code, Message: msg}
	}
	return Result{Out: out}
}

// Native is the core compiled into this process.
type Native struct{ M *core.Machine }

// NewNative returns a native core with the default configuration.
func NewNative() *Native {
	m, err := core.New(abi.Config{})
	if err != nil {
		panic(err) // the zero config is valid
	}
	return &Native{M: m}
}

// Call implements [Core].
func (n *Native) Call(op string, in []byte) ([]byte, error) {
	switch op {
	case OpApply:
		return n.M.ApplyMsg(nil, in)
	case OpRoute:
		return n.M.RouteMsg(nil, in)
	case OpSnapshot:
		return n.M.SnapshotMsg(nil)
	case OpRestore:
		m, err := core.RestoreMsg(in)
		if err != nil {
			return nil, err
		}
		n.M = m
		return nil, nil
	case OpVersion:
		return core.VersionMsg(nil)
	}
	return nil, abi.Errorf(abi.InvalidArgument, "unknown operation %q", op)
}

// Interface guards
var _ Core = (*Native)(nil)
