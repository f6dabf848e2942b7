package abi

import (
	"bytes"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// appender is implemented by messages with hand-written encoders; their
// encoding bypasses reflection in [AppendEncode].
type appender interface {
	appendTo(b []byte) []byte
}

// fast is implemented by the hot messages, whose decoders bypass
// reflection in [Decode] too.
type fast interface {
	appender
	decodeFrom(d *decoder) error
}

// whole is implemented by the hot messages [Decode] is called on:
// decodeWhole decodes one from all of b and says how many bytes are left.
// The decoder lives on its stack; passed through an interface, it would
// escape to the heap, an allocation per message.
type whole interface {
	decodeWhole(b []byte) (left int, err error)
	versioned
}

func (r *RouteRequest) decodeWhole(b []byte) (int, error) {
	d := decoder{b: b}
	err := r.decodeFrom(&d)
	return d.left(), err
}

func (dc *Decision) decodeWhole(b []byte) (int, error) {
	d := decoder{b: b}
	err := dc.decodeFrom(&d)
	return d.left(), err
}

func (e *Event) decodeWhole(b []byte) (int, error) {
	d := decoder{b: b}
	err := e.decodeFrom(&d)
	return d.left(), err
}

func (f *Effects) decodeWhole(b []byte) (int, error) {
	d := decoder{b: b}
	err := f.decodeFrom(&d)
	return d.left(), err
}

// encodeRaw writes pre-encoded bytes to a msgpack Encoder.
func encodeRaw(enc *msgpack.Encoder, b []byte) error {
	_, err := enc.Writer().Write(b)
	return err
}

// decodeRaw reads one value from a msgpack Decoder with a fast decoder.
func decodeRaw(dec *msgpack.Decoder, f fast) error {
	raw, err := dec.DecodeRaw()
	if err != nil {
		return err
	}
	d := decoder{b: raw}
	if err := f.decodeFrom(&d); err != nil {
		return err
	}
	if d.left() != 0 {
		return fmt.Errorf("msgpack: %d bytes left in a value", d.left())
	}
	return nil
}

// appendReflect appends a cold value encoded by reflection.
func appendReflect(b []byte, v any) []byte {
	buf := bytes.NewBuffer(b)
	enc := msgpack.GetEncoder()
	defer msgpack.PutEncoder(enc)
	enc.Reset(buf)
	enc.UseCompactInts(true)
	if err := enc.Encode(v); err != nil {
		// Plain data (structs, strings, integers, slices) always encodes.
		panic(fmt.Sprintf("abi: encode %T: %v", v, err))
	}
	return buf.Bytes()
}

// decodeReflect decodes a cold value strictly, by reflection.
func decodeReflect(raw []byte, v any) error {
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	dec.Reset(bytes.NewReader(raw))
	dec.DisallowUnknownFields(true)
	return dec.Decode(v)
}

// --- RouteRequest

func (r *RouteRequest) appendTo(b []byte) []byte {
	obj := !r.Objective.empty()
	b = appendMapLen(b, 3+count(r.Provider != "", r.Client != "", obj, r.InputTokens != 0, r.InputTokensBound != 0, r.MaxOutputTokens != 0,
		r.Choices != 0, len(r.Exclude) > 0, len(r.Tags) > 0, r.DryRun, r.Detail, r.MaxFallbacks != 0))
	b = kUint(b, "v", uint64(r.V))
	b = kInt(b, "now", int64(r.Now))
	b = kStr(b, "model", r.Model)
	if r.Provider != "" {
		b = kStr(b, "provider", string(r.Provider))
	}
	if r.Client != "" {
		b = kStr(b, "client", string(r.Client))
	}
	if obj {
		b = r.Objective.appendTo(appendKey(b, "objective"))
	}
	if r.InputTokens != 0 {
		b = kInt(b, "input_tokens", int64(r.InputTokens))
	}
	if r.InputTokensBound != 0 {
		b = kInt(b, "input_tokens_bound", int64(r.InputTokensBound))
	}
	if r.MaxOutputTokens != 0 {
		b = kInt(b, "max_output_tokens", int64(r.MaxOutputTokens))
	}
	if r.Choices != 0 {
		b = kInt(b, "choices", r.Choices)
	}
	if len(r.Exclude) > 0 {
		b = kStrs(b, "exclude", r.Exclude)
	}
	if len(r.Tags) > 0 {
		b = kStrs(b, "tags", r.Tags)
	}
	if r.DryRun {
		b = kBool(b, "dry_run", true)
	}
	if r.Detail {
		b = kBool(b, "detail", true)
	}
	if r.MaxFallbacks != 0 {
		b = kInt(b, "max_fallbacks", r.MaxFallbacks)
	}
	return b
}

func (r *RouteRequest) decodeFrom(d *decoder) error {
	model, client := r.Model, r.Client // most requests repeat them
	*r = RouteRequest{}
	n, err := d.mapLen("RouteRequest")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		var v int64
		switch string(k) {
		case "v":
			r.V, err = d.uint8()
		case "now":
			v, err = d.int()
			r.Now = UnixNano(v)
		case "model":
			r.Model, err = d.strLike(model)
		case "provider":
			var s string
			s, err = d.str()
			r.Provider = ProviderID(s)
		case "client":
			var s string
			s, err = d.strLike(string(client))
			r.Client = ClientID(s)
		case "objective":
			err = r.Objective.decodeFrom(d)
		case "input_tokens":
			v, err = d.int()
			r.InputTokens = Tokens(v)
		case "input_tokens_bound":
			v, err = d.int()
			r.InputTokensBound = Tokens(v)
		case "max_output_tokens":
			v, err = d.int()
			r.MaxOutputTokens = Tokens(v)
		case "choices":
			r.Choices, err = d.int()
		case "exclude":
			r.Exclude, err = ids[KeyID](d)
		case "tags":
			r.Tags, err = d.strs()
		case "dry_run":
			r.DryRun, err = d.bool()
		case "detail":
			r.Detail, err = d.bool()
		case "max_fallbacks":
			r.MaxFallbacks, err = d.int()
		default:
			err = unknownField("RouteRequest", k)
		}
	}
	return err
}

// EncodeMsgpack writes r as reflection would, faster.
func (r RouteRequest) EncodeMsgpack(enc *msgpack.Encoder) error {
	return encodeRaw(enc, r.appendTo(nil))
}

// DecodeMsgpack reads r strictly.
func (r *RouteRequest) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, r) }

// --- Objective and Weight

func (o Objective) empty() bool {
	return o.Primary == GoalDefault && len(o.Secondary) == 0 && len(o.Weights) == 0
}

func (o *Objective) appendTo(b []byte) []byte {
	b = appendMapLen(b, count(o.Primary != GoalDefault, len(o.Secondary) > 0, len(o.Weights) > 0))
	if o.Primary != GoalDefault {
		b = kUint(b, "primary", uint64(o.Primary))
	}
	if len(o.Secondary) > 0 {
		b = appendArrayLen(appendKey(b, "secondary"), len(o.Secondary))
		for _, g := range o.Secondary {
			b = appendUint(b, uint64(g))
		}
	}
	if len(o.Weights) > 0 {
		b = appendArrayLen(appendKey(b, "weights"), len(o.Weights))
		for i := range o.Weights {
			b = o.Weights[i].appendTo(b)
		}
	}
	return b
}

func (o *Objective) decodeFrom(d *decoder) error {
	*o = Objective{}
	n, err := d.mapLen("Objective")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		switch string(k) {
		case "primary":
			var v uint8
			v, err = d.uint8()
			o.Primary = Goal(v)
		case "secondary":
			var m int
			if m, err = d.arrayLen(); err == nil && m >= 0 {
				o.Secondary = make([]Goal, m)
				for j := range o.Secondary {
					var v uint8
					if v, err = d.uint8(); err != nil {
						break
					}
					o.Secondary[j] = Goal(v)
				}
			}
		case "weights":
			var m int
			if m, err = d.arrayLen(); err == nil && m >= 0 {
				o.Weights = make([]Weight, m)
				for j := range o.Weights {
					if err = o.Weights[j].decodeFrom(d); err != nil {
						break
					}
				}
			}
		default:
			err = unknownField("Objective", k)
		}
	}
	return err
}

// EncodeMsgpack writes o; goal lists travel as arrays of integers.
func (o Objective) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, o.appendTo(nil)) }

// DecodeMsgpack reads o strictly.
func (o *Objective) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, o) }

func (x *Weight) appendTo(b []byte) []byte {
	b = appendMapLen(b, 2)
	b = kUint(b, "goal", uint64(x.Goal))
	return kInt(b, "milli", x.Milli)
}

func (x *Weight) decodeFrom(d *decoder) error {
	*x = Weight{}
	n, err := d.mapLen("Weight")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		switch string(k) {
		case "goal":
			var v uint8
			v, err = d.uint8()
			x.Goal = Goal(v)
		case "milli":
			x.Milli, err = d.int()
		default:
			err = unknownField("Weight", k)
		}
	}
	return err
}

// EncodeMsgpack writes x as reflection would, faster.
func (x Weight) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, x.appendTo(nil)) }

// DecodeMsgpack reads x strictly.
func (x *Weight) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, x) }

// --- Decision, Candidate, Exclusion

func (dc *Decision) appendTo(b []byte) []byte {
	b = appendMapLen(b, 1+count(dc.Code != OK, dc.Message != "", dc.RetryAt != 0, dc.Attempt != 0, dc.Key != "",
		dc.Provider != "", dc.Model != "", dc.Goal != GoalDefault, len(dc.Fallbacks) > 0, dc.EstimatedCost != 0,
		dc.Reserved != 0, dc.Eligible != 0, len(dc.Candidates) > 0, len(dc.Excluded) > 0, dc.ExcludedTotal != 0,
		len(dc.SoftBudgets) > 0, len(dc.Explanation) > 0))
	b = kUint(b, "v", uint64(dc.V))
	if dc.Code != OK {
		b = kUint(b, "code", uint64(dc.Code))
	}
	if dc.Message != "" {
		b = kStr(b, "message", dc.Message)
	}
	if dc.RetryAt != 0 {
		b = kInt(b, "retry_at", int64(dc.RetryAt))
	}
	if dc.Attempt != 0 {
		b = kUint(b, "attempt", dc.Attempt)
	}
	if dc.Key != "" {
		b = kStr(b, "key", string(dc.Key))
	}
	if dc.Provider != "" {
		b = kStr(b, "provider", string(dc.Provider))
	}
	if dc.Model != "" {
		b = kStr(b, "model", dc.Model)
	}
	if dc.Goal != GoalDefault {
		b = kUint(b, "goal", uint64(dc.Goal))
	}
	if len(dc.Fallbacks) > 0 {
		b = kStrs(b, "fallbacks", dc.Fallbacks)
	}
	if dc.EstimatedCost != 0 {
		b = kInt(b, "estimated_cost", int64(dc.EstimatedCost))
	}
	if dc.Reserved != 0 {
		b = kInt(b, "reserved", int64(dc.Reserved))
	}
	if dc.Eligible != 0 {
		b = kInt(b, "eligible", dc.Eligible)
	}
	if len(dc.Candidates) > 0 {
		b = appendArrayLen(appendKey(b, "candidates"), len(dc.Candidates))
		for i := range dc.Candidates {
			b = dc.Candidates[i].appendTo(b)
		}
	}
	if len(dc.Excluded) > 0 {
		b = appendArrayLen(appendKey(b, "excluded"), len(dc.Excluded))
		for i := range dc.Excluded {
			b = dc.Excluded[i].appendTo(b)
		}
	}
	if dc.ExcludedTotal != 0 {
		b = kInt(b, "excluded_total", dc.ExcludedTotal)
	}
	if len(dc.SoftBudgets) > 0 {
		b = kStrs(b, "soft_budgets", dc.SoftBudgets)
	}
	if len(dc.Explanation) > 0 {
		b = append(appendStrLen(appendKey(b, "explanation"), len(dc.Explanation)), dc.Explanation...)
	}
	return b
}

func (dc *Decision) decodeFrom(d *decoder) error {
	*dc = Decision{}
	n, err := d.mapLen("Decision")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		var v int64
		var u8 uint8
		var s string
		switch string(k) {
		case "v":
			dc.V, err = d.uint8()
		case "code":
			u8, err = d.uint8()
			dc.Code = Code(u8)
		case "message":
			dc.Message, err = d.str()
		case "retry_at":
			v, err = d.int()
			dc.RetryAt = UnixNano(v)
		case "attempt":
			dc.Attempt, err = d.uint()
		case "key":
			s, err = d.str()
			dc.Key = KeyID(s)
		case "provider":
			s, err = d.str()
			dc.Provider = ProviderID(s)
		case "model":
			dc.Model, err = d.str()
		case "goal":
			u8, err = d.uint8()
			dc.Goal = Goal(u8)
		case "fallbacks":
			dc.Fallbacks, err = ids[KeyID](d)
		case "estimated_cost":
			v, err = d.int()
			dc.EstimatedCost = NanoUSD(v)
		case "reserved":
			v, err = d.int()
			dc.Reserved = NanoUSD(v)
		case "eligible":
			dc.Eligible, err = d.int()
		case "candidates":
			var m int
			if m, err = d.arrayLen(); err == nil && m >= 0 {
				dc.Candidates = make([]Candidate, m)
				for j := range dc.Candidates {
					if err = dc.Candidates[j].decodeFrom(d); err != nil {
						break
					}
				}
			}
		case "excluded":
			var m int
			if m, err = d.arrayLen(); err == nil && m >= 0 {
				dc.Excluded = make([]Exclusion, m)
				for j := range dc.Excluded {
					if err = dc.Excluded[j].decodeFrom(d); err != nil {
						break
					}
				}
			}
		case "excluded_total":
			dc.ExcludedTotal, err = d.int()
		case "soft_budgets":
			dc.SoftBudgets, err = ids[BudgetID](d)
		case "explanation":
			var t []byte
			if t, err = d.strBytes(); err == nil && t != nil {
				dc.Explanation = append(Text(nil), t...)
			}
		default:
			err = unknownField("Decision", k)
		}
	}
	return err
}

// EncodeMsgpack writes dc as reflection would, faster.
func (dc Decision) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, dc.appendTo(nil)) }

// DecodeMsgpack reads dc strictly.
func (dc *Decision) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, dc) }

func (c *Candidate) appendTo(b []byte) []byte {
	b = appendMapLen(b, 4+count(c.Cost != 0, c.LatencyMicros != 0, c.InFlight != 0, c.Capacity != Abundant, c.Tier != 0, c.Probe))
	b = kStr(b, "key", string(c.Key))
	b = kInt(b, "score", int64(c.Score))
	if c.Cost != 0 {
		b = kInt(b, "cost", int64(c.Cost))
	}
	b = kInt(b, "success", int64(c.Success))
	if c.LatencyMicros != 0 {
		b = kInt(b, "latency_us", c.LatencyMicros)
	}
	b = kInt(b, "headroom", int64(c.Headroom))
	if c.InFlight != 0 {
		b = kInt(b, "in_flight", c.InFlight)
	}
	if c.Capacity != Abundant {
		b = kUint(b, "capacity", uint64(c.Capacity))
	}
	if c.Tier != 0 {
		b = kInt(b, "tier", c.Tier)
	}
	if c.Probe {
		b = kBool(b, "probe", true)
	}
	return b
}

func (c *Candidate) decodeFrom(d *decoder) error {
	*c = Candidate{}
	n, err := d.mapLen("Candidate")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		var v int64
		switch string(k) {
		case "key":
			var s string
			s, err = d.str()
			c.Key = KeyID(s)
		case "score":
			v, err = d.int()
			c.Score = PPM(v)
		case "cost":
			v, err = d.int()
			c.Cost = NanoUSD(v)
		case "success":
			v, err = d.int()
			c.Success = PPM(v)
		case "latency_us":
			c.LatencyMicros, err = d.int()
		case "headroom":
			v, err = d.int()
			c.Headroom = PPM(v)
		case "in_flight":
			c.InFlight, err = d.int()
		case "capacity":
			var u uint8
			u, err = d.uint8()
			c.Capacity = Capacity(u)
		case "tier":
			c.Tier, err = d.int()
		case "probe":
			c.Probe, err = d.bool()
		default:
			err = unknownField("Candidate", k)
		}
	}
	return err
}

// EncodeMsgpack writes c as reflection would, faster.
func (c Candidate) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, c.appendTo(nil)) }

// DecodeMsgpack reads c strictly.
func (c *Candidate) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, c) }

func (e *Exclusion) appendTo(b []byte) []byte {
	b = appendMapLen(b, 2+count(e.Until != 0))
	b = kStr(b, "key", string(e.Key))
	b = kUint(b, "reason", uint64(e.Reason))
	if e.Until != 0 {
		b = kInt(b, "until", int64(e.Until))
	}
	return b
}

func (e *Exclusion) decodeFrom(d *decoder) error {
	*e = Exclusion{}
	n, err := d.mapLen("Exclusion")
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = d.strBytes(); err != nil {
			break
		}
		switch string(k) {
		case "key":
			var s string
			s, err = d.str()
			e.Key = KeyID(s)
		case "reason":
			var u uint8
			u, err = d.uint8()
			e.Reason = Reason(u)
		case "until":
			var v int64
			v, err = d.int()
			e.Until = UnixNano(v)
		default:
			err = unknownField("Exclusion", k)
		}
	}
	return err
}

// EncodeMsgpack writes e as reflection would, faster.
func (e Exclusion) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, e.appendTo(nil)) }

// DecodeMsgpack reads e strictly.
func (e *Exclusion) DecodeMsgpack(dec *msgpack.Decoder) error { return decodeRaw(dec, e) }
