package abi

import (
	"encoding/binary"
	"math"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Snapshot encoding by hand: a snapshot holds every key's state, and
// reflection made taking one cost ~10 µs a key natively, ten times that in
// WebAssembly. The encoders write exactly what reflection writes (a
// differential test holds them to it); decoding (restore, rare) stays
// reflection.

func (s *Snapshot) appendTo(b []byte) []byte {
	b = appendMapLen(b, 4+count(s.Clock != 0, len(s.Providers) > 0, len(s.Models) > 0, len(s.Keys) > 0, len(s.Budgets) > 0, len(s.Clients) > 0, len(s.Attempts) > 0))
	b = kUint(b, "v", uint64(s.V))
	b = appendReflect(appendKey(b, "config"), &s.Config)
	b = appendBin(appendKey(b, "rand"), s.Rand)
	if s.Clock != 0 {
		b = kInt(b, "clock", int64(s.Clock))
	}
	b = kUint(b, "next_attempt", uint64(s.NextAttempt))
	if len(s.Providers) > 0 {
		b = appendArrayLen(appendKey(b, "providers"), len(s.Providers))
		for i := range s.Providers {
			b = s.Providers[i].appendTo(b)
		}
	}
	if len(s.Models) > 0 {
		b = appendArrayLen(appendKey(b, "models"), len(s.Models))
		for i := range s.Models {
			b = s.Models[i].appendTo(b)
		}
	}
	if len(s.Keys) > 0 {
		b = appendArrayLen(appendKey(b, "keys"), len(s.Keys))
		for i := range s.Keys {
			b = s.Keys[i].appendTo(b)
		}
	}
	if len(s.Budgets) > 0 {
		b = appendArrayLen(appendKey(b, "budgets"), len(s.Budgets))
		for i := range s.Budgets {
			b = s.Budgets[i].appendTo(b)
		}
	}
	if len(s.Clients) > 0 {
		b = appendArrayLen(appendKey(b, "clients"), len(s.Clients))
		for i := range s.Clients {
			b = s.Clients[i].appendTo(b)
		}
	}
	if len(s.Attempts) > 0 {
		b = appendArrayLen(appendKey(b, "attempts"), len(s.Attempts))
		for i := range s.Attempts {
			b = s.Attempts[i].appendTo(b)
		}
	}
	return b
}

func (p *Provider) appendTo(b []byte) []byte {
	b = appendMapLen(b, 1)
	b = kStr(b, "id", string(p.ID))
	return b
}

func (ms *ModelState) appendTo(b []byte) []byte {
	b = appendMapLen(b, 1+count(ms.MeanOutput != 0))
	b = ms.Model.appendTo(appendKey(b, "model"))
	if ms.MeanOutput != 0 {
		b = kInt(b, "mean_output", int64(ms.MeanOutput))
	}
	return b
}

func (m *Model) appendTo(b []byte) []byte {
	b = appendMapLen(b, 3+count(m.Unpriced, m.ContextWindow != 0, m.MaxOutputTokens != 0, m.QuotaGroup != "", !m.Limits.empty()))
	b = kStr(b, "provider", string(m.Provider))
	b = kStr(b, "name", string(m.Name))
	b = m.Price.appendTo(appendKey(b, "price"))
	if m.Unpriced {
		b = kBool(b, "unpriced", true)
	}
	if m.ContextWindow != 0 {
		b = kInt(b, "context_window", int64(m.ContextWindow))
	}
	if m.MaxOutputTokens != 0 {
		b = kInt(b, "max_output_tokens", int64(m.MaxOutputTokens))
	}
	if m.QuotaGroup != "" {
		b = kStr(b, "quota_group", string(m.QuotaGroup))
	}
	if !m.Limits.empty() {
		b = m.Limits.appendTo(appendKey(b, "limits"))
	}
	return b
}

func (p *Price) appendTo(b []byte) []byte {
	b = appendMapLen(b, 0+count(p.Input != 0, p.Output != 0, p.CachedInput != 0))
	if p.Input != 0 {
		b = kInt(b, "input", int64(p.Input))
	}
	if p.Output != 0 {
		b = kInt(b, "output", int64(p.Output))
	}
	if p.CachedInput != 0 {
		b = kInt(b, "cached_input", int64(p.CachedInput))
	}
	return b
}

// empty reports whether msgpack would leave Price out as an empty value.
func (p *Price) empty() bool { return !(p.Input != 0 || p.Output != 0 || p.CachedInput != 0) }

func (l *Limits) appendTo(b []byte) []byte {
	b = appendMapLen(b, 0+count(l.RPM != 0, l.TPM != 0, l.RPD != 0, l.Concurrency != 0))
	if l.RPM != 0 {
		b = kInt(b, "rpm", int64(l.RPM))
	}
	if l.TPM != 0 {
		b = kInt(b, "tpm", int64(l.TPM))
	}
	if l.RPD != 0 {
		b = kInt(b, "rpd", int64(l.RPD))
	}
	if l.Concurrency != 0 {
		b = kInt(b, "concurrency", int64(l.Concurrency))
	}
	return b
}

// empty reports whether msgpack would leave Limits out as an empty value.
func (l *Limits) empty() bool { return !(l.RPM != 0 || l.TPM != 0 || l.RPD != 0 || l.Concurrency != 0) }

func (ks *KeyState) appendTo(b []byte) []byte {
	b = appendMapLen(b, 1+count(ks.State != 0, ks.Trigger != 0, ks.Since != 0, ks.InFlight != 0, ks.Current != 0, ks.LastUsed != 0, !ks.Usage.empty(), len(ks.Pools) > 0))
	b = ks.Key.appendTo(appendKey(b, "key"))
	if ks.State != 0 {
		b = kUint(b, "state", uint64(ks.State))
	}
	if ks.Trigger != 0 {
		b = kUint(b, "trigger", uint64(ks.Trigger))
	}
	if ks.Since != 0 {
		b = kInt(b, "since", int64(ks.Since))
	}
	if ks.InFlight != 0 {
		b = kInt(b, "in_flight", int64(ks.InFlight))
	}
	if ks.Current != 0 {
		b = kInt(b, "current", int64(ks.Current))
	}
	if ks.LastUsed != 0 {
		b = kInt(b, "last_used", int64(ks.LastUsed))
	}
	if !ks.Usage.empty() {
		b = ks.Usage.appendTo(appendKey(b, "usage"))
	}
	if len(ks.Pools) > 0 {
		b = appendArrayLen(appendKey(b, "pools"), len(ks.Pools))
		for i := range ks.Pools {
			b = ks.Pools[i].appendTo(b)
		}
	}
	return b
}

func (k *Key) appendTo(b []byte) []byte {
	b = appendMapLen(b, 2+count(k.Weight != 0, k.Tier != 0, !k.Limits.empty(), len(k.Tags) > 0, len(k.Models) > 0, k.Discount != 0))
	b = kStr(b, "id", string(k.ID))
	b = kStr(b, "provider", string(k.Provider))
	if k.Weight != 0 {
		b = kInt(b, "weight", int64(k.Weight))
	}
	if k.Tier != 0 {
		b = kInt(b, "tier", int64(k.Tier))
	}
	if !k.Limits.empty() {
		b = k.Limits.appendTo(appendKey(b, "limits"))
	}
	if len(k.Tags) > 0 {
		b = kStrs(b, "tags", k.Tags)
	}
	if len(k.Models) > 0 {
		b = kStrs(b, "models", k.Models)
	}
	if k.Discount != 0 {
		b = kInt(b, "discount", int64(k.Discount))
	}
	return b
}

func (w *Windows) appendTo(b []byte) []byte {
	b = appendMapLen(b, 0+count(!w.Minute.empty(), !w.Day.empty()))
	if !w.Minute.empty() {
		b = w.Minute.appendTo(appendKey(b, "minute"))
	}
	if !w.Day.empty() {
		b = w.Day.appendTo(appendKey(b, "day"))
	}
	return b
}

// empty reports whether msgpack would leave Windows out as an empty value.
func (w *Windows) empty() bool { return !(!w.Minute.empty() || !w.Day.empty()) }

func (w *Window) appendTo(b []byte) []byte {
	b = appendMapLen(b, 0+count(w.Start != 0, w.Requests != 0, w.Input != 0, w.Output != 0, w.PrevReq != 0, w.PrevInput != 0, w.PrevOutput != 0))
	if w.Start != 0 {
		b = kInt(b, "start", int64(w.Start))
	}
	if w.Requests != 0 {
		b = kInt(b, "requests", int64(w.Requests))
	}
	if w.Input != 0 {
		b = kInt(b, "input", int64(w.Input))
	}
	if w.Output != 0 {
		b = kInt(b, "output", int64(w.Output))
	}
	if w.PrevReq != 0 {
		b = kInt(b, "prev_requests", int64(w.PrevReq))
	}
	if w.PrevInput != 0 {
		b = kInt(b, "prev_input", int64(w.PrevInput))
	}
	if w.PrevOutput != 0 {
		b = kInt(b, "prev_output", int64(w.PrevOutput))
	}
	return b
}

// empty reports whether msgpack would leave Window out as an empty value.
func (w *Window) empty() bool {
	return !(w.Start != 0 || w.Requests != 0 || w.Input != 0 || w.Output != 0 || w.PrevReq != 0 || w.PrevInput != 0 || w.PrevOutput != 0)
}

func (ps *PoolState) appendTo(b []byte) []byte {
	b = appendMapLen(b, 2+count(ps.State != 0, ps.Trigger != 0, ps.Until != 0, ps.Ladder != 0, ps.FailStreak != 0, ps.Probe, ps.InFlight != 0, ps.SuccessSamples != 0, ps.LatencyMicros != 0, !ps.Usage.empty(), !ps.Observed.empty()))
	b = kStr(b, "name", string(ps.Name))
	if ps.State != 0 {
		b = kUint(b, "state", uint64(ps.State))
	}
	if ps.Trigger != 0 {
		b = kUint(b, "trigger", uint64(ps.Trigger))
	}
	if ps.Until != 0 {
		b = kInt(b, "until", int64(ps.Until))
	}
	if ps.Ladder != 0 {
		b = kInt(b, "ladder", int64(ps.Ladder))
	}
	if ps.FailStreak != 0 {
		b = kInt(b, "fail_streak", int64(ps.FailStreak))
	}
	if ps.Probe {
		b = kBool(b, "probe", ps.Probe)
	}
	if ps.InFlight != 0 {
		b = kInt(b, "in_flight", int64(ps.InFlight))
	}
	b = kInt(b, "success", int64(ps.Success))
	if ps.SuccessSamples != 0 {
		b = kInt(b, "success_samples", int64(ps.SuccessSamples))
	}
	if ps.LatencyMicros != 0 {
		b = kInt(b, "latency_us", int64(ps.LatencyMicros))
	}
	if !ps.Usage.empty() {
		b = ps.Usage.appendTo(appendKey(b, "usage"))
	}
	if !ps.Observed.empty() {
		b = ps.Observed.appendTo(appendKey(b, "observed"))
	}
	return b
}

func (o *Observed) appendTo(b []byte) []byte {
	b = appendMapLen(b, 0+count(o.At != 0, o.LimitRequests != 0, o.RemainingRequests != 0, o.ResetRequestsAt != 0, o.LimitTokens != 0, o.RemainingTokens != 0, o.ResetTokensAt != 0, o.SentRequests != 0, o.RefAt != 0, o.RefRequests != 0, o.RefTokens != 0, o.RequestRate != 0, o.TokenRate != 0))
	if o.At != 0 {
		b = kInt(b, "at", int64(o.At))
	}
	if o.LimitRequests != 0 {
		b = kInt(b, "limit_requests", int64(o.LimitRequests))
	}
	if o.RemainingRequests != 0 {
		b = kInt(b, "remaining_requests", int64(o.RemainingRequests))
	}
	if o.ResetRequestsAt != 0 {
		b = kInt(b, "reset_requests_at", int64(o.ResetRequestsAt))
	}
	if o.LimitTokens != 0 {
		b = kInt(b, "limit_tokens", int64(o.LimitTokens))
	}
	if o.RemainingTokens != 0 {
		b = kInt(b, "remaining_tokens", int64(o.RemainingTokens))
	}
	if o.ResetTokensAt != 0 {
		b = kInt(b, "reset_tokens_at", int64(o.ResetTokensAt))
	}
	if o.SentRequests != 0 {
		b = kInt(b, "sent_requests", int64(o.SentRequests))
	}
	if o.RefAt != 0 {
		b = kInt(b, "ref_at", int64(o.RefAt))
	}
	if o.RefRequests != 0 {
		b = kInt(b, "ref_requests", int64(o.RefRequests))
	}
	if o.RefTokens != 0 {
		b = kInt(b, "ref_tokens", int64(o.RefTokens))
	}
	if o.RequestRate != 0 {
		b = kInt(b, "request_rate", int64(o.RequestRate))
	}
	if o.TokenRate != 0 {
		b = kInt(b, "token_rate", int64(o.TokenRate))
	}
	return b
}

// empty reports whether msgpack would leave Observed out as an empty value.
func (o *Observed) empty() bool {
	return !(o.At != 0 || o.LimitRequests != 0 || o.RemainingRequests != 0 || o.ResetRequestsAt != 0 || o.LimitTokens != 0 || o.RemainingTokens != 0 || o.ResetTokensAt != 0 || o.SentRequests != 0 || o.RefAt != 0 || o.RefRequests != 0 || o.RefTokens != 0 || o.RequestRate != 0 || o.TokenRate != 0)
}

func (bs *BudgetState) appendTo(b []byte) []byte {
	b = appendMapLen(b, 1+count(bs.Start != 0, bs.Spent != 0, bs.Reserved != 0, len(bs.Buckets) > 0))
	b = bs.Budget.appendTo(appendKey(b, "budget"))
	if bs.Start != 0 {
		b = kInt(b, "start", int64(bs.Start))
	}
	if bs.Spent != 0 {
		b = kInt(b, "spent", int64(bs.Spent))
	}
	if bs.Reserved != 0 {
		b = kInt(b, "reserved", int64(bs.Reserved))
	}
	if len(bs.Buckets) > 0 {
		b = appendArrayLen(appendKey(b, "buckets"), len(bs.Buckets))
		for _, v := range bs.Buckets {
			b = appendInt(b, int64(v))
		}
	}
	return b
}

func (bu *Budget) appendTo(b []byte) []byte {
	b = appendMapLen(b, 2+count(bu.Scope != 0, bu.Target != "", bu.Period != 0, bu.Window != 0, bu.Enforcement != 0))
	b = kStr(b, "id", string(bu.ID))
	if bu.Scope != 0 {
		b = kUint(b, "scope", uint64(bu.Scope))
	}
	if bu.Target != "" {
		b = kStr(b, "target", string(bu.Target))
	}
	if bu.Period != 0 {
		b = kUint(b, "period", uint64(bu.Period))
	}
	if bu.Window != 0 {
		b = kInt(b, "window", int64(bu.Window))
	}
	b = kInt(b, "limit", int64(bu.Limit))
	if bu.Enforcement != 0 {
		b = kUint(b, "enforcement", uint64(bu.Enforcement))
	}
	return b
}

func (cs *ClientState) appendTo(b []byte) []byte {
	b = appendMapLen(b, 1+count(!cs.Minute.empty()))
	b = cs.Client.appendTo(appendKey(b, "client"))
	if !cs.Minute.empty() {
		b = cs.Minute.appendTo(appendKey(b, "minute"))
	}
	return b
}

func (c *Client) appendTo(b []byte) []byte {
	b = appendMapLen(b, 1+count(len(c.Models) > 0, c.RPM != 0))
	b = kStr(b, "id", string(c.ID))
	if len(c.Models) > 0 {
		b = kStrs(b, "models", c.Models)
	}
	if c.RPM != 0 {
		b = kInt(b, "rpm", int64(c.RPM))
	}
	return b
}

func (as *AttemptState) appendTo(b []byte) []byte {
	b = appendMapLen(b, 6+count(as.Client != "", as.Probe, !as.Price.empty(), as.Discount != 0, len(as.Reservations) > 0, as.Estimate != Usage{}))
	b = kUint(b, "id", uint64(as.ID))
	b = kStr(b, "key", string(as.Key))
	b = kStr(b, "provider", string(as.Provider))
	b = kStr(b, "model", string(as.Model))
	if as.Client != "" {
		b = kStr(b, "client", string(as.Client))
	}
	b = kInt(b, "start", int64(as.Start))
	if as.Probe {
		b = kBool(b, "probe", as.Probe)
	}
	b = kStr(b, "pool", string(as.Pool))
	if !as.Price.empty() {
		b = as.Price.appendTo(appendKey(b, "price"))
	}
	if as.Discount != 0 {
		b = kInt(b, "discount", int64(as.Discount))
	}
	if len(as.Reservations) > 0 {
		b = appendArrayLen(appendKey(b, "reservations"), len(as.Reservations))
		for i := range as.Reservations {
			b = as.Reservations[i].appendTo(b)
		}
	}
	if as.Estimate != (Usage{}) {
		b = as.Estimate.appendTo(appendKey(b, "estimate"))
	}
	return b
}

func (r *Reservation) appendTo(b []byte) []byte {
	b = appendMapLen(b, 2)
	b = kStr(b, "budget", string(r.Budget))
	b = kInt(b, "amount", int64(r.Amount))
	return b
}

// appendBin writes bytes as msgpack bin, as reflection writes a []byte
// (nil as nil).
func appendBin(b []byte, v []byte) []byte {
	if v == nil {
		return append(b, msgpcode.Nil)
	}
	switch n := len(v); {
	case n < 256:
		b = append(b, msgpcode.Bin8, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, msgpcode.Bin16), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, msgpcode.Bin32), uint32(n))
	}
	return append(b, v...)
}

// EncodeMsgpack writes s as reflection would, faster.
func (s Snapshot) EncodeMsgpack(enc *msgpack.Encoder) error { return encodeRaw(enc, s.appendTo(nil)) }

// Interface guards
var _ appender = (*Snapshot)(nil)
