package abi

import "github.com/vmihailenco/msgpack/v5"

// --- Event: the registration payloads are cold and go by reflection.

func (e *Event) appendTo(b []byte) []byte {
	b = appendMapLen(b, 2+count(e.Config != nil, e.Provider != nil, e.Model != nil, e.Key != nil, e.Budget != nil,
		e.Client != nil, e.Command != nil, e.Outcome != nil))
	b = kUint(b, "v", uint64(e.V))
	b = kInt(b, "now", int64(e.Now))
	for _, p := range [...]struct {
		key string
		v   any
		set bool
	}{
		{"config", e.Config, e.Config != nil}, {"provider", e.Provider, e.Provider != nil},
		{"model", e.Model, e.Model != nil}, {"key", e.Key, e.Key != nil}, {"budget", e.Budget, e.Budget != nil},
		{"client", e.Client, e.Client != nil}, {"command", e.Command, e.Command != nil},
	} {
		if p.set {
			b = appendReflect(appendStr(b, p.key), p.v)
		}
	}
	if e.Outcome != nil {
		b = e.Outcome.appendTo(appendKey(b, "outcome"))
	}
	return b
}

func (e *Event) decodeFrom(d *decoder) error {
	outcome := e.Outcome
	*e = Event{}
	n, err := d.mapLen("Event")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		switch string(k) {
		case "v":
			e.V, err = d.uint8()
		case "now":
			var v int64
			v, err = d.int()
			e.Now = UnixNano(v)
		case "config":
			err = cold(d, &e.Config)
		case "provider":
			err = cold(d, &e.Provider)
		case "model":
			err = cold(d, &e.Model)
		case "key":
			err = cold(d, &e.Key)
		case "budget":
			err = cold(d, &e.Budget)
		case "client":
			err = cold(d, &e.Client)
		case "command":
			err = cold(d, &e.Command)
		case "outcome":
			if !d.nilNext() {
				e.Outcome = reuse(outcome)
				err = e.Outcome.decodeFrom(d)
			}
		default:
			err = unknownField("Event", k)
		}
	}
	return err
}

// reuse returns p, or a new T if p is nil: a decode into a message an
// earlier decode filled writes over the values its pointers point to, as
// encoding/json does, so that decoding each event into the same [Event]
// allocates nothing (the core's ApplyMsg; in WebAssembly, every allocation
// brings the guest's single-threaded collector nearer).
func reuse[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

// cold decodes the next value by reflection into *p; nil leaves it nil.
func cold[T any](d *decoder, p **T) error {
	raw, err := d.raw()
	if err != nil {
		return err
	}
	return decodeReflect(raw, p)
}

// EncodeMsgpack writes e as reflection would, faster.
func (e Event) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, e.appendTo(nil)) }

// DecodeMsgpack reads e strictly.
func (e *Event) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, e) }

// --- Outcome, Usage, RateLimit

func (o *Outcome) appendTo(b []byte) []byte {
	usage := o.Usage != (Usage{})
	b = appendMapLen(b, 1+count(o.Result != Success, o.Status != 0, usage, o.LatencyMicros != 0, o.RetryAfter != 0, o.RateLimit != nil))
	b = kUint(b, "attempt", o.Attempt)
	if o.Result != Success {
		b = kUint(b, "result", uint64(o.Result))
	}
	if o.Status != 0 {
		b = kInt(b, "status", o.Status)
	}
	if usage {
		b = o.Usage.appendTo(appendKey(b, "usage"))
	}
	if o.LatencyMicros != 0 {
		b = kInt(b, "latency_us", o.LatencyMicros)
	}
	if o.RetryAfter != 0 {
		b = kInt(b, "retry_after", int64(o.RetryAfter))
	}
	if o.RateLimit != nil {
		b = o.RateLimit.appendTo(appendKey(b, "rate_limit"))
	}
	return b
}

func (o *Outcome) decodeFrom(d *decoder) error {
	rateLimit := o.RateLimit
	*o = Outcome{}
	n, err := d.mapLen("Outcome")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		switch string(k) {
		case "attempt":
			o.Attempt, err = d.uint()
		case "result":
			var u uint8
			u, err = d.uint8()
			o.Result = Result(u)
		case "status":
			o.Status, err = d.int()
		case "usage":
			err = o.Usage.decodeFrom(d)
		case "latency_us":
			o.LatencyMicros, err = d.int()
		case "retry_after":
			var v int64
			v, err = d.int()
			o.RetryAfter = Duration(v)
		case "rate_limit":
			o.RateLimit = nil
			if !d.nilNext() {
				o.RateLimit = reuse(rateLimit)
				err = o.RateLimit.decodeFrom(d)
			}
		default:
			err = unknownField("Outcome", k)
		}
	}
	return err
}

// EncodeMsgpack writes o as reflection would, faster.
func (o Outcome) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, o.appendTo(nil)) }

// DecodeMsgpack reads o strictly.
func (o *Outcome) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, o) }

func (u *Usage) appendTo(b []byte) []byte {
	b = appendMapLen(b, count(u.InputTokens != 0, u.CachedInputTokens != 0, u.OutputTokens != 0))
	if u.InputTokens != 0 {
		b = kInt(b, "input", int64(u.InputTokens))
	}
	if u.CachedInputTokens != 0 {
		b = kInt(b, "cached_input", int64(u.CachedInputTokens))
	}
	if u.OutputTokens != 0 {
		b = kInt(b, "output", int64(u.OutputTokens))
	}
	return b
}

func (u *Usage) decodeFrom(d *decoder) error {
	*u = Usage{}
	n, err := d.mapLen("Usage")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		var v int64
		switch string(k) {
		case "input":
			v, err = d.int()
			u.InputTokens = Tokens(v)
		case "cached_input":
			v, err = d.int()
			u.CachedInputTokens = Tokens(v)
		case "output":
			v, err = d.int()
			u.OutputTokens = Tokens(v)
		default:
			err = unknownField("Usage", k)
		}
	}
	return err
}

// EncodeMsgpack writes u as reflection would, faster.
func (u Usage) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, u.appendTo(nil)) }

// DecodeMsgpack reads u strictly.
func (u *Usage) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, u) }

func (l *RateLimit) appendTo(b []byte) []byte {
	b = appendMapLen(b, 6)
	b = kInt(b, "limit_requests", l.LimitRequests)
	b = kInt(b, "remaining_requests", l.RemainingRequests)
	b = kInt(b, "reset_requests", int64(l.ResetRequests))
	b = kInt(b, "limit_tokens", l.LimitTokens)
	b = kInt(b, "remaining_tokens", l.RemainingTokens)
	return kInt(b, "reset_tokens", int64(l.ResetTokens))
}

func (l *RateLimit) decodeFrom(d *decoder) error {
	*l = RateLimit{}
	n, err := d.mapLen("RateLimit")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		var v int64
		switch string(k) {
		case "limit_requests":
			l.LimitRequests, err = d.int()
		case "remaining_requests":
			l.RemainingRequests, err = d.int()
		case "reset_requests":
			v, err = d.int()
			l.ResetRequests = Duration(v)
		case "limit_tokens":
			l.LimitTokens, err = d.int()
		case "remaining_tokens":
			l.RemainingTokens, err = d.int()
		case "reset_tokens":
			v, err = d.int()
			l.ResetTokens = Duration(v)
		default:
			err = unknownField("RateLimit", k)
		}
	}
	return err
}

// EncodeMsgpack writes l as reflection would, faster.
func (l RateLimit) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, l.appendTo(nil)) }

// DecodeMsgpack reads l strictly.
func (l *RateLimit) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, l) }

// --- Effects and Transition

func (f *Effects) appendTo(b []byte) []byte {
	b = appendMapLen(b, 1+count(f.Code != OK, f.Message != "", len(f.Transitions) > 0, f.Cost != 0, f.RetrySameKeyAt != 0))
	b = kUint(b, "v", uint64(f.V))
	if f.Code != OK {
		b = kUint(b, "code", uint64(f.Code))
	}
	if f.Message != "" {
		b = kStr(b, "message", f.Message)
	}
	if len(f.Transitions) > 0 {
		b = appendArrayLen(appendKey(b, "transitions"), len(f.Transitions))
		for i := range f.Transitions {
			b = f.Transitions[i].appendTo(b)
		}
	}
	if f.Cost != 0 {
		b = kInt(b, "cost", int64(f.Cost))
	}
	if f.RetrySameKeyAt != 0 {
		b = kInt(b, "retry_same_key_at", int64(f.RetrySameKeyAt))
	}
	return b
}

func (f *Effects) decodeFrom(d *decoder) error {
	*f = Effects{}
	n, err := d.mapLen("Effects")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		var v int64
		switch string(k) {
		case "v":
			f.V, err = d.uint8()
		case "code":
			var u uint8
			u, err = d.uint8()
			f.Code = Code(u)
		case "message":
			f.Message, err = d.str()
		case "transitions":
			var m int
			if m, err = d.arrayLen(); err == nil && m >= 0 {
				f.Transitions = make([]Transition, m)
				for j := range f.Transitions {
					if err = f.Transitions[j].decodeFrom(d); err != nil {
						break
					}
				}
			}
		case "cost":
			v, err = d.int()
			f.Cost = NanoUSD(v)
		case "retry_same_key_at":
			v, err = d.int()
			f.RetrySameKeyAt = UnixNano(v)
		default:
			err = unknownField("Effects", k)
		}
	}
	return err
}

// EncodeMsgpack writes f as reflection would, faster.
func (f Effects) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, f.appendTo(nil)) }

// DecodeMsgpack reads f strictly.
func (f *Effects) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, f) }

func (t *Transition) appendTo(b []byte) []byte {
	b = appendMapLen(b, 4+count(t.Pool != "", t.Until != 0))
	b = kStr(b, "key", string(t.Key))
	if t.Pool != "" {
		b = kStr(b, "pool", t.Pool)
	}
	b = kUint(b, "from", uint64(t.From))
	b = kUint(b, "to", uint64(t.To))
	b = kUint(b, "trigger", uint64(t.Trigger))
	if t.Until != 0 {
		b = kInt(b, "until", int64(t.Until))
	}
	return b
}

func (t *Transition) decodeFrom(d *decoder) error {
	*t = Transition{}
	n, err := d.mapLen("Transition")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		var u uint8
		switch string(k) {
		case "key":
			var s string
			s, err = d.str()
			t.Key = KeyID(s)
		case "pool":
			t.Pool, err = d.str()
		case "from":
			u, err = d.uint8()
			t.From = State(u)
		case "to":
			u, err = d.uint8()
			t.To = State(u)
		case "trigger":
			u, err = d.uint8()
			t.Trigger = Trigger(u)
		case "until":
			var v int64
			v, err = d.int()
			t.Until = UnixNano(v)
		default:
			err = unknownField("Transition", k)
		}
	}
	return err
}

// EncodeMsgpack writes t as reflection would, faster.
func (t Transition) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, t.appendTo(nil)) }

// DecodeMsgpack reads t strictly.
func (t *Transition) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, t) }

// Interface guards
var (
	_ fast                  = (*RouteRequest)(nil)
	_ fast                  = (*Decision)(nil)
	_ fast                  = (*Event)(nil)
	_ fast                  = (*Effects)(nil)
	_ msgpack.CustomEncoder = Event{}
	_ msgpack.CustomDecoder = (*Event)(nil)
)
