package proxy

import (
	"math/bits"
	"net/http"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// quotaView is a key's quota state: its usage windows, the provider's
// observed rate limits and burn rates, and the core's forecast.
type quotaView struct {
	Key      abi.KeyID      `json:"key"`
	Provider abi.ProviderID `json:"provider"`
	State    abi.State      `json:"state"`
	// Limits are the key's declared key-wide limits; Usage its key-wide
	// sliding counts.
	Limits   abi.Limits      `json:"limits"`
	InFlight int64           `json:"in_flight"`
	Usage    usageView       `json:"usage"`
	Pools    []poolQuotaView `json:"pools"`
	Forecast []forecastView  `json:"forecast"`
}

// poolQuotaView is the quota state of one of a key's pools (a model, or
// "group:<quota group>").
type poolQuotaView struct {
	Name  string    `json:"name"`
	State abi.State `json:"state"`
	Until stamp     `json:"until,omitempty"`
	// Limits are the limits the pool's model declares for each key.
	Limits   abi.Limits    `json:"limits"`
	InFlight int64         `json:"in_flight"`
	Usage    usageView     `json:"usage"`
	Observed *observedView `json:"observed,omitempty"`
}

// usageView is usage over the core's two sliding windows.
type usageView struct {
	Minute countView `json:"minute"`
	Day    countView `json:"day"`
}

// countView is one sliding window's counts.
type countView struct {
	Requests     int64 `json:"requests"`
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
}

// observedView is the provider's latest rate-limit report for a pool and
// the burn rates measured between reports; -1 is a limit the provider did
// not report.
type observedView struct {
	At                stamp `json:"at"`
	LimitRequests     int64 `json:"limit_requests"`
	RemainingRequests int64 `json:"remaining_requests"`
	ResetRequestsAt   stamp `json:"reset_requests_at,omitempty"`
	LimitTokens       int64 `json:"limit_tokens"`
	RemainingTokens   int64 `json:"remaining_tokens"`
	ResetTokensAt     stamp `json:"reset_tokens_at,omitempty"`
	SentSinceReport   int64 `json:"sent_since_report"`
	RequestsPerMinute int64 `json:"requests_per_minute"`
	TokensPerMinute   int64 `json:"tokens_per_minute"`
}

// keyQuota serves GET /admin/v1/keys/{id}/quota.
func (a *admin) keyQuota(w http.ResponseWriter, r *http.Request) {
	id := abi.KeyID(r.PathValue("id"))
	snap := a.s.router.Snapshot()
	ks := findKey(snap, id)
	if ks == nil {
		notFoundError(abi.UnknownKey, "no key %q", id).write(w)
		return
	}
	forecast, err := newForecaster(a.s.router, snap).forKey(&ks.Key)
	if err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	now := snap.Clock
	v := quotaView{Key: id, Provider: ks.Key.Provider, State: ks.State, Limits: ks.Key.Limits, InFlight: ks.InFlight,
		Usage: usageOf(ks.Usage, now), Pools: []poolQuotaView{}, Forecast: forecast}
	for _, p := range ks.Pools {
		pv := poolQuotaView{Name: p.Name, State: p.State, Until: stamp(p.Until), InFlight: p.InFlight,
			Limits: poolLimits(snap, ks.Key.Provider, p.Name), Usage: usageOf(p.Usage, now)}
		if o := p.Observed; o.At != 0 {
			pv.Observed = &observedView{At: stamp(o.At),
				LimitRequests: o.LimitRequests, RemainingRequests: o.RemainingRequests, ResetRequestsAt: stamp(o.ResetRequestsAt),
				LimitTokens: o.LimitTokens, RemainingTokens: o.RemainingTokens, ResetTokensAt: stamp(o.ResetTokensAt),
				SentSinceReport: o.SentRequests, RequestsPerMinute: o.RequestRate, TokensPerMinute: o.TokenRate}
		}
		v.Pools = append(v.Pools, pv)
	}
	writeJSON(w, http.StatusOK, v)
}

// poolLimits returns the per-key limits the model of a pool declares.
func poolLimits(snap *abi.Snapshot, provider abi.ProviderID, pool string) abi.Limits {
	group, isGroup := strings.CutPrefix(pool, "group:")
	for _, ms := range snap.Models {
		m := ms.Model
		if m.Provider == provider && (isGroup && m.QuotaGroup == group || !isGroup && m.Name == pool) {
			return m.Limits
		}
	}
	return abi.Limits{}
}

// Slot lengths of the core's sliding windows.
const (
	usageMinuteSlot = int64(abi.Minute)
	usageDaySlot    = int64(24 * abi.Hour)
)

func usageOf(u abi.Windows, now abi.UnixNano) usageView {
	return usageView{Minute: sliding(u.Minute, now, usageMinuteSlot), Day: sliding(u.Day, now, usageDaySlot)}
}

// sliding returns a window's counts at now as the core counts them
// (abi/README.md, "Windows and Window"): the current slot plus the
// previous one weighed by the part of it still inside the window, rounded
// up. A slot older than the previous one counts nothing.
func sliding(w abi.Window, now abi.UnixNano, slot int64) countView {
	start := int64(now) - int64(now)%slot
	var cur, prev countView
	switch int64(w.Start) {
	case start:
		cur = countView{w.Requests, int64(w.Input), int64(w.Output)}
		prev = countView{w.PrevReq, int64(w.PrevInput), int64(w.PrevOutput)}
	case start - slot:
		prev = countView{w.Requests, int64(w.Input), int64(w.Output)}
	}
	left := uint64(slot - int64(now)%slot)
	weigh := func(c, p int64) int64 {
		if p <= 0 {
			return c
		}
		hi, lo := bits.Mul64(uint64(p), left)
		q, rem := bits.Div64(hi, lo, uint64(slot)) // q ≤ p: left ≤ slot
		if rem != 0 {
			q++
		}
		return c + int64(q)
	}
	return countView{weigh(cur.Requests, prev.Requests), weigh(cur.InputTokens, prev.InputTokens),
		weigh(cur.OutputTokens, prev.OutputTokens)}
}
