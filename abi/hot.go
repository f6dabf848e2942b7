package abi

import (
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// EncodeMsgpack writes r as reflection would, faster.
func (r RouteRequest) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	obj := !r.Objective.empty()
	w.header(3 + count(r.Provider != "", r.Client != "", obj, r.InputTokens != 0, r.MaxOutputTokens != 0,
		len(r.Exclude) > 0, len(r.Tags) > 0, r.DryRun, r.Detail, r.MaxFallbacks != 0))
	w.uint("v", uint64(r.V))
	w.int("now", int64(r.Now))
	w.str("model", r.Model)
	if r.Provider != "" {
		w.str("provider", string(r.Provider))
	}
	if r.Client != "" {
		w.str("client", string(r.Client))
	}
	if obj {
		w.value("objective", r.Objective)
	}
	if r.InputTokens != 0 {
		w.int("input_tokens", int64(r.InputTokens))
	}
	if r.MaxOutputTokens != 0 {
		w.int("max_output_tokens", int64(r.MaxOutputTokens))
	}
	if len(r.Exclude) > 0 && w.key("exclude") {
		w.err = enc.EncodeArrayLen(len(r.Exclude))
		for _, k := range r.Exclude {
			if w.err == nil {
				w.err = enc.EncodeString(string(k))
			}
		}
	}
	if len(r.Tags) > 0 {
		w.strings("tags", r.Tags)
	}
	if r.DryRun {
		w.bool("dry_run", true)
	}
	if r.Detail {
		w.bool("detail", true)
	}
	if r.MaxFallbacks != 0 {
		w.int("max_fallbacks", r.MaxFallbacks)
	}
	return w.err
}

// DecodeMsgpack reads r strictly.
func (r *RouteRequest) DecodeMsgpack(dec *msgpack.Decoder) error {
	*r = RouteRequest{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("RouteRequest"); err != nil {
			break
		}
		switch string(k) {
		case "v":
			r.V, err = rd.uint8()
		case "now":
			var v int64
			v, err = rd.int()
			r.Now = UnixNano(v)
		case "model":
			r.Model, err = rd.str()
		case "provider":
			var v string
			v, err = rd.str()
			r.Provider = ProviderID(v)
		case "client":
			var v string
			v, err = rd.str()
			r.Client = ClientID(v)
		case "objective":
			err = r.Objective.DecodeMsgpack(dec)
		case "input_tokens":
			var v int64
			v, err = rd.int()
			r.InputTokens = Tokens(v)
		case "max_output_tokens":
			var v int64
			v, err = rd.int()
			r.MaxOutputTokens = Tokens(v)
		case "exclude":
			var v []string
			if v, err = rd.strings(); err == nil && v != nil {
				r.Exclude = make([]KeyID, len(v))
				for i, s := range v {
					r.Exclude[i] = KeyID(s)
				}
			}
		case "tags":
			r.Tags, err = rd.strings()
		case "dry_run":
			r.DryRun, err = rd.bool()
		case "detail":
			r.Detail, err = rd.bool()
		case "max_fallbacks":
			r.MaxFallbacks, err = rd.int()
		default:
			err = unknownField("RouteRequest", string(k))
		}
	}
	return err
}

func (o Objective) empty() bool {
	return o.Primary == GoalDefault && len(o.Secondary) == 0 && len(o.Weights) == 0
}

// EncodeMsgpack writes o as reflection would, faster.
func (o Objective) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	w.header(count(o.Primary != GoalDefault, len(o.Secondary) > 0, len(o.Weights) > 0))
	if o.Primary != GoalDefault {
		w.uint("primary", uint64(o.Primary))
	}
	if len(o.Secondary) > 0 && w.key("secondary") {
		w.err = enc.EncodeArrayLen(len(o.Secondary))
		for _, g := range o.Secondary {
			if w.err == nil {
				w.err = enc.EncodeUint(uint64(g))
			}
		}
	}
	if len(o.Weights) > 0 && w.key("weights") {
		w.err = enc.EncodeArrayLen(len(o.Weights))
		for _, x := range o.Weights {
			if w.err == nil {
				w.err = x.EncodeMsgpack(enc)
			}
		}
	}
	return w.err
}

// DecodeMsgpack reads o strictly.
func (o *Objective) DecodeMsgpack(dec *msgpack.Decoder) error {
	*o = Objective{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("Objective"); err != nil {
			break
		}
		switch string(k) {
		case "primary":
			err = o.Primary.DecodeMsgpack(dec)
		case "secondary":
			var m int
			if m, err = dec.DecodeArrayLen(); err == nil && m >= 0 {
				o.Secondary = make([]Goal, m)
				for j := range o.Secondary {
					if err = o.Secondary[j].DecodeMsgpack(dec); err != nil {
						break
					}
				}
			}
		case "weights":
			var m int
			if m, err = dec.DecodeArrayLen(); err == nil && m >= 0 {
				o.Weights = make([]Weight, m)
				for j := range o.Weights {
					if err = o.Weights[j].DecodeMsgpack(dec); err != nil {
						break
					}
				}
			}
		default:
			err = unknownField("Objective", string(k))
		}
	}
	return err
}

// EncodeMsgpack writes x as reflection would, faster.
func (x Weight) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	w.header(2)
	w.uint("goal", uint64(x.Goal))
	w.int("milli", x.Milli)
	return w.err
}

// DecodeMsgpack reads x strictly.
func (x *Weight) DecodeMsgpack(dec *msgpack.Decoder) error {
	*x = Weight{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("Weight"); err != nil {
			break
		}
		switch string(k) {
		case "goal":
			err = x.Goal.DecodeMsgpack(dec)
		case "milli":
			x.Milli, err = rd.int()
		default:
			err = unknownField("Weight", string(k))
		}
	}
	return err
}

// EncodeMsgpack writes d as reflection would, faster.
func (d Decision) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	w.header(1 + count(d.Code != OK, d.Message != "", d.RetryAt != 0, d.Attempt != 0, d.Key != "", d.Provider != "",
		d.Model != "", d.Goal != GoalDefault, len(d.Fallbacks) > 0, d.EstimatedCost != 0, d.Reserved != 0, d.Eligible != 0,
		len(d.Candidates) > 0, len(d.Excluded) > 0, d.ExcludedTotal != 0, len(d.SoftBudgets) > 0, len(d.Explanation) > 0))
	w.uint("v", uint64(d.V))
	if d.Code != OK {
		w.uint("code", uint64(d.Code))
	}
	if d.Message != "" {
		w.str("message", d.Message)
	}
	if d.RetryAt != 0 {
		w.int("retry_at", int64(d.RetryAt))
	}
	if d.Attempt != 0 {
		w.uint("attempt", d.Attempt)
	}
	if d.Key != "" {
		w.str("key", string(d.Key))
	}
	if d.Provider != "" {
		w.str("provider", string(d.Provider))
	}
	if d.Model != "" {
		w.str("model", d.Model)
	}
	if d.Goal != GoalDefault {
		w.uint("goal", uint64(d.Goal))
	}
	if len(d.Fallbacks) > 0 && w.key("fallbacks") {
		w.err = enc.EncodeArrayLen(len(d.Fallbacks))
		for _, k := range d.Fallbacks {
			if w.err == nil {
				w.err = enc.EncodeString(string(k))
			}
		}
	}
	if d.EstimatedCost != 0 {
		w.int("estimated_cost", int64(d.EstimatedCost))
	}
	if d.Reserved != 0 {
		w.int("reserved", int64(d.Reserved))
	}
	if d.Eligible != 0 {
		w.int("eligible", d.Eligible)
	}
	if len(d.Candidates) > 0 && w.key("candidates") {
		w.err = enc.EncodeArrayLen(len(d.Candidates))
		for _, c := range d.Candidates {
			if w.err == nil {
				w.err = c.EncodeMsgpack(enc)
			}
		}
	}
	if len(d.Excluded) > 0 && w.key("excluded") {
		w.err = enc.EncodeArrayLen(len(d.Excluded))
		for _, e := range d.Excluded {
			if w.err == nil {
				w.err = e.EncodeMsgpack(enc)
			}
		}
	}
	if d.ExcludedTotal != 0 {
		w.int("excluded_total", d.ExcludedTotal)
	}
	if len(d.SoftBudgets) > 0 && w.key("soft_budgets") {
		w.err = enc.EncodeArrayLen(len(d.SoftBudgets))
		for _, b := range d.SoftBudgets {
			if w.err == nil {
				w.err = enc.EncodeString(string(b))
			}
		}
	}
	if len(d.Explanation) > 0 {
		w.value("explanation", d.Explanation)
	}
	return w.err
}

// DecodeMsgpack reads d strictly.
func (d *Decision) DecodeMsgpack(dec *msgpack.Decoder) error {
	*d = Decision{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("Decision"); err != nil {
			break
		}
		var v int64
		var s string
		switch string(k) {
		case "v":
			d.V, err = rd.uint8()
		case "code":
			err = d.Code.DecodeMsgpack(dec)
		case "message":
			d.Message, err = rd.str()
		case "retry_at":
			v, err = rd.int()
			d.RetryAt = UnixNano(v)
		case "attempt":
			d.Attempt, err = rd.uint()
		case "key":
			s, err = rd.str()
			d.Key = KeyID(s)
		case "provider":
			s, err = rd.str()
			d.Provider = ProviderID(s)
		case "model":
			d.Model, err = rd.str()
		case "goal":
			err = d.Goal.DecodeMsgpack(dec)
		case "fallbacks":
			var l []string
			if l, err = rd.strings(); err == nil && l != nil {
				d.Fallbacks = make([]KeyID, len(l))
				for j, x := range l {
					d.Fallbacks[j] = KeyID(x)
				}
			}
		case "estimated_cost":
			v, err = rd.int()
			d.EstimatedCost = NanoUSD(v)
		case "reserved":
			v, err = rd.int()
			d.Reserved = NanoUSD(v)
		case "eligible":
			d.Eligible, err = rd.int()
		case "candidates":
			var m int
			if m, err = dec.DecodeArrayLen(); err == nil && m >= 0 {
				d.Candidates = make([]Candidate, m)
				for j := range d.Candidates {
					if err = d.Candidates[j].DecodeMsgpack(dec); err != nil {
						break
					}
				}
			}
		case "excluded":
			var m int
			if m, err = dec.DecodeArrayLen(); err == nil && m >= 0 {
				d.Excluded = make([]Exclusion, m)
				for j := range d.Excluded {
					if err = d.Excluded[j].DecodeMsgpack(dec); err != nil {
						break
					}
				}
			}
		case "excluded_total":
			d.ExcludedTotal, err = rd.int()
		case "soft_budgets":
			var l []string
			if l, err = rd.strings(); err == nil && l != nil {
				d.SoftBudgets = make([]BudgetID, len(l))
				for j, x := range l {
					d.SoftBudgets[j] = BudgetID(x)
				}
			}
		case "explanation":
			err = d.Explanation.DecodeMsgpack(dec)
		default:
			err = unknownField("Decision", string(k))
		}
	}
	return err
}

// EncodeMsgpack writes c as reflection would, faster.
func (c Candidate) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	w.header(4 + count(c.Cost != 0, c.LatencyMicros != 0, c.InFlight != 0, c.Capacity != Abundant, c.Tier != 0, c.Probe))
	w.str("key", string(c.Key))
	w.int("score", int64(c.Score))
	if c.Cost != 0 {
		w.int("cost", int64(c.Cost))
	}
	w.int("success", int64(c.Success))
	if c.LatencyMicros != 0 {
		w.int("latency_us", c.LatencyMicros)
	}
	w.int("headroom", int64(c.Headroom))
	if c.InFlight != 0 {
		w.int("in_flight", c.InFlight)
	}
	if c.Capacity != Abundant {
		w.uint("capacity", uint64(c.Capacity))
	}
	if c.Tier != 0 {
		w.int("tier", c.Tier)
	}
	if c.Probe {
		w.bool("probe", true)
	}
	return w.err
}

// DecodeMsgpack reads c strictly.
func (c *Candidate) DecodeMsgpack(dec *msgpack.Decoder) error {
	*c = Candidate{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("Candidate"); err != nil {
			break
		}
		var v int64
		switch string(k) {
		case "key":
			var s string
			s, err = rd.str()
			c.Key = KeyID(s)
		case "score":
			v, err = rd.int()
			c.Score = PPM(v)
		case "cost":
			v, err = rd.int()
			c.Cost = NanoUSD(v)
		case "success":
			v, err = rd.int()
			c.Success = PPM(v)
		case "latency_us":
			c.LatencyMicros, err = rd.int()
		case "headroom":
			v, err = rd.int()
			c.Headroom = PPM(v)
		case "in_flight":
			c.InFlight, err = rd.int()
		case "capacity":
			err = c.Capacity.DecodeMsgpack(dec)
		case "tier":
			c.Tier, err = rd.int()
		case "probe":
			c.Probe, err = rd.bool()
		default:
			err = unknownField("Candidate", string(k))
		}
	}
	return err
}

// EncodeMsgpack writes e as reflection would, faster.
func (e Exclusion) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	w.header(2 + count(e.Until != 0))
	w.str("key", string(e.Key))
	w.uint("reason", uint64(e.Reason))
	if e.Until != 0 {
		w.int("until", int64(e.Until))
	}
	return w.err
}

// DecodeMsgpack reads e strictly.
func (e *Exclusion) DecodeMsgpack(dec *msgpack.Decoder) error {
	*e = Exclusion{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("Exclusion"); err != nil {
			break
		}
		switch string(k) {
		case "key":
			var s string
			s, err = rd.str()
			e.Key = KeyID(s)
		case "reason":
			err = e.Reason.DecodeMsgpack(dec)
		case "until":
			var v int64
			v, err = rd.int()
			e.Until = UnixNano(v)
		default:
			err = unknownField("Exclusion", string(k))
		}
	}
	return err
}

// Interface guards
var (
	_ msgpack.CustomEncoder = RouteRequest{}
	_ msgpack.CustomDecoder = (*RouteRequest)(nil)
	_ msgpack.CustomEncoder = Decision{}
	_ msgpack.CustomDecoder = (*Decision)(nil)
)

// EncodeMsgpack writes e as reflection would, faster; the cold payloads
// (configuration and registrations) go by reflection.
func (e Event) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	w.header(2 + count(e.Config != nil, e.Provider != nil, e.Model != nil, e.Key != nil, e.Budget != nil,
		e.Client != nil, e.Command != nil, e.Outcome != nil))
	w.uint("v", uint64(e.V))
	w.int("now", int64(e.Now))
	if e.Config != nil {
		w.any("config", e.Config)
	}
	if e.Provider != nil {
		w.any("provider", e.Provider)
	}
	if e.Model != nil {
		w.any("model", e.Model)
	}
	if e.Key != nil {
		w.any("key", e.Key)
	}
	if e.Budget != nil {
		w.any("budget", e.Budget)
	}
	if e.Client != nil {
		w.any("client", e.Client)
	}
	if e.Command != nil {
		w.any("command", e.Command)
	}
	if e.Outcome != nil {
		w.value("outcome", e.Outcome)
	}
	return w.err
}

// DecodeMsgpack reads e strictly.
func (e *Event) DecodeMsgpack(dec *msgpack.Decoder) error {
	*e = Event{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("Event"); err != nil {
			break
		}
		switch string(k) {
		case "v":
			e.V, err = rd.uint8()
		case "now":
			var v int64
			v, err = rd.int()
			e.Now = UnixNano(v)
		case "config":
			err = dec.Decode(&e.Config)
		case "provider":
			err = dec.Decode(&e.Provider)
		case "model":
			err = dec.Decode(&e.Model)
		case "key":
			err = dec.Decode(&e.Key)
		case "budget":
			err = dec.Decode(&e.Budget)
		case "client":
			err = dec.Decode(&e.Client)
		case "command":
			err = dec.Decode(&e.Command)
		case "outcome":
			if nilNext(dec) {
				err = dec.DecodeNil()
				e.Outcome = nil
				break
			}
			e.Outcome = new(Outcome)
			err = e.Outcome.DecodeMsgpack(dec)
		default:
			err = unknownField("Event", string(k))
		}
	}
	return err
}

// nilNext reports whether the next value is nil.
func nilNext(dec *msgpack.Decoder) bool {
	c, err := dec.PeekCode()
	return err == nil && c == msgpcode.Nil
}

// EncodeMsgpack writes o as reflection would, faster.
func (o Outcome) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	usage := o.Usage != (Usage{})
	w.header(1 + count(o.Result != Success, o.Status != 0, usage, o.LatencyMicros != 0, o.RetryAfter != 0, o.RateLimit != nil))
	w.uint("attempt", o.Attempt)
	if o.Result != Success {
		w.uint("result", uint64(o.Result))
	}
	if o.Status != 0 {
		w.int("status", o.Status)
	}
	if usage {
		w.value("usage", o.Usage)
	}
	if o.LatencyMicros != 0 {
		w.int("latency_us", o.LatencyMicros)
	}
	if o.RetryAfter != 0 {
		w.int("retry_after", int64(o.RetryAfter))
	}
	if o.RateLimit != nil {
		w.value("rate_limit", o.RateLimit)
	}
	return w.err
}

// DecodeMsgpack reads o strictly.
func (o *Outcome) DecodeMsgpack(dec *msgpack.Decoder) error {
	*o = Outcome{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("Outcome"); err != nil {
			break
		}
		switch string(k) {
		case "attempt":
			o.Attempt, err = rd.uint()
		case "result":
			err = o.Result.DecodeMsgpack(dec)
		case "status":
			o.Status, err = rd.int()
		case "usage":
			err = o.Usage.DecodeMsgpack(dec)
		case "latency_us":
			o.LatencyMicros, err = rd.int()
		case "retry_after":
			var v int64
			v, err = rd.int()
			o.RetryAfter = Duration(v)
		case "rate_limit":
			if nilNext(dec) {
				err = dec.DecodeNil()
				o.RateLimit = nil
				break
			}
			o.RateLimit = new(RateLimit)
			err = o.RateLimit.DecodeMsgpack(dec)
		default:
			err = unknownField("Outcome", string(k))
		}
	}
	return err
}

// EncodeMsgpack writes u as reflection would, faster.
func (u Usage) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	w.header(count(u.InputTokens != 0, u.CachedInputTokens != 0, u.OutputTokens != 0))
	if u.InputTokens != 0 {
		w.int("input", int64(u.InputTokens))
	}
	if u.CachedInputTokens != 0 {
		w.int("cached_input", int64(u.CachedInputTokens))
	}
	if u.OutputTokens != 0 {
		w.int("output", int64(u.OutputTokens))
	}
	return w.err
}

// DecodeMsgpack reads u strictly.
func (u *Usage) DecodeMsgpack(dec *msgpack.Decoder) error {
	*u = Usage{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("Usage"); err != nil {
			break
		}
		var v int64
		switch string(k) {
		case "input":
			v, err = rd.int()
			u.InputTokens = Tokens(v)
		case "cached_input":
			v, err = rd.int()
			u.CachedInputTokens = Tokens(v)
		case "output":
			v, err = rd.int()
			u.OutputTokens = Tokens(v)
		default:
			err = unknownField("Usage", string(k))
		}
	}
	return err
}

// EncodeMsgpack writes l as reflection would, faster.
func (l RateLimit) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	w.header(6)
	w.int("limit_requests", l.LimitRequests)
	w.int("remaining_requests", l.RemainingRequests)
	w.int("reset_requests", int64(l.ResetRequests))
	w.int("limit_tokens", l.LimitTokens)
	w.int("remaining_tokens", l.RemainingTokens)
	w.int("reset_tokens", int64(l.ResetTokens))
	return w.err
}

// DecodeMsgpack reads l strictly.
func (l *RateLimit) DecodeMsgpack(dec *msgpack.Decoder) error {
	*l = RateLimit{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("RateLimit"); err != nil {
			break
		}
		var v int64
		switch string(k) {
		case "limit_requests":
			l.LimitRequests, err = rd.int()
		case "remaining_requests":
			l.RemainingRequests, err = rd.int()
		case "reset_requests":
			v, err = rd.int()
			l.ResetRequests = Duration(v)
		case "limit_tokens":
			l.LimitTokens, err = rd.int()
		case "remaining_tokens":
			l.RemainingTokens, err = rd.int()
		case "reset_tokens":
			v, err = rd.int()
			l.ResetTokens = Duration(v)
		default:
			err = unknownField("RateLimit", string(k))
		}
	}
	return err
}

// EncodeMsgpack writes f as reflection would, faster.
func (f Effects) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	w.header(1 + count(f.Code != OK, f.Message != "", len(f.Transitions) > 0, f.Cost != 0, f.RetrySameKeyAt != 0))
	w.uint("v", uint64(f.V))
	if f.Code != OK {
		w.uint("code", uint64(f.Code))
	}
	if f.Message != "" {
		w.str("message", f.Message)
	}
	if len(f.Transitions) > 0 && w.key("transitions") {
		w.err = enc.EncodeArrayLen(len(f.Transitions))
		for _, t := range f.Transitions {
			if w.err == nil {
				w.err = t.EncodeMsgpack(enc)
			}
		}
	}
	if f.Cost != 0 {
		w.int("cost", int64(f.Cost))
	}
	if f.RetrySameKeyAt != 0 {
		w.int("retry_same_key_at", int64(f.RetrySameKeyAt))
	}
	return w.err
}

// DecodeMsgpack reads f strictly.
func (f *Effects) DecodeMsgpack(dec *msgpack.Decoder) error {
	*f = Effects{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("Effects"); err != nil {
			break
		}
		var v int64
		switch string(k) {
		case "v":
			f.V, err = rd.uint8()
		case "code":
			err = f.Code.DecodeMsgpack(dec)
		case "message":
			f.Message, err = rd.str()
		case "transitions":
			var m int
			if m, err = dec.DecodeArrayLen(); err == nil && m >= 0 {
				f.Transitions = make([]Transition, m)
				for j := range f.Transitions {
					if err = f.Transitions[j].DecodeMsgpack(dec); err != nil {
						break
					}
				}
			}
		case "cost":
			v, err = rd.int()
			f.Cost = NanoUSD(v)
		case "retry_same_key_at":
			v, err = rd.int()
			f.RetrySameKeyAt = UnixNano(v)
		default:
			err = unknownField("Effects", string(k))
		}
	}
	return err
}

// EncodeMsgpack writes t as reflection would, faster.
func (t Transition) EncodeMsgpack(enc *msgpack.Encoder) error {
	w := writer{enc: enc}
	w.header(4 + count(t.Pool != "", t.Until != 0))
	w.str("key", string(t.Key))
	if t.Pool != "" {
		w.str("pool", t.Pool)
	}
	w.uint("from", uint64(t.From))
	w.uint("to", uint64(t.To))
	w.uint("trigger", uint64(t.Trigger))
	if t.Until != 0 {
		w.int("until", int64(t.Until))
	}
	return w.err
}

// DecodeMsgpack reads t strictly.
func (t *Transition) DecodeMsgpack(dec *msgpack.Decoder) error {
	*t = Transition{}
	rd := reader{dec: dec}
	n, err := rd.entries()
	for i := 0; i < n && err == nil; i++ {
		var k []byte
		if k, err = rd.key("Transition"); err != nil {
			break
		}
		switch string(k) {
		case "key":
			var s string
			s, err = rd.str()
			t.Key = KeyID(s)
		case "pool":
			t.Pool, err = rd.str()
		case "from":
			err = t.From.DecodeMsgpack(dec)
		case "to":
			err = t.To.DecodeMsgpack(dec)
		case "trigger":
			err = t.Trigger.DecodeMsgpack(dec)
		case "until":
			var v int64
			v, err = rd.int()
			t.Until = UnixNano(v)
		default:
			err = unknownField("Transition", string(k))
		}
	}
	return err
}

// Interface guards
var (
	_ msgpack.CustomEncoder = Event{}
	_ msgpack.CustomDecoder = (*Event)(nil)
	_ msgpack.CustomEncoder = Effects{}
	_ msgpack.CustomDecoder = (*Effects)(nil)
	_ msgpack.CustomEncoder = (*Outcome)(nil)
	_ msgpack.CustomDecoder = (*Outcome)(nil)
)
