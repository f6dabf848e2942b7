package coretest

import (
	"github.com/apikeyrouter/apikeyrouter/abi"
)

// Builder records calls for a vector, encoding each message.
type Builder struct {
	Name  string
	Calls []Call
}

// Apply records an apply call; the event's version is filled in.
func (b *Builder) Apply(ev abi.Event) *Builder {
	ev.V = abi.Version
	return b.add(OpApply, &ev)
}

// Route records a route call; the request's version is filled in.
func (b *Builder) Route(req abi.RouteRequest) *Builder {
	req.V = abi.Version
	return b.add(OpRoute, &req)
}

// Snapshot records a snapshot call.
func (b *Builder) Snapshot() *Builder {
	b.Calls = append(b.Calls, Call{Op: OpSnapshot})
	return b
}

// Version records a version call.
func (b *Builder) Version() *Builder {
	b.Calls = append(b.Calls, Call{Op: OpVersion})
	return b
}

// Raw records a call with the given bytes as they are (malformed input).
func (b *Builder) Raw(op string, in []byte) *Builder {
	b.Calls = append(b.Calls, Call{Op: op, In: in})
	return b
}

func (b *Builder) add(op string, msg any) *Builder {
	in, err := abi.Encode(msg)
	if err != nil {
		panic(err) // the builder only encodes ABI types
	}
	b.Calls = append(b.Calls, Call{Op: op, In: in})
	return b
}

// Record replays the calls on c and returns the vector with its results.
func (b *Builder) Record(c Core) Vector {
	v := Vector{Name: b.Name, Calls: b.Calls}
	for _, call := range b.Calls {
		v.Results = append(v.Results, Invoke(c, call))
	}
	return v
}
