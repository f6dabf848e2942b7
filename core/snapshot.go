package core

import (
	"slices"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// Snapshot returns the machine's whole state. Lists are sorted by id, so two
// machines in the same state give byte-identical encodings, and [Restore]
// of a snapshot gives a machine whose snapshot is identical again.
func (m *Machine) Snapshot() *abi.Snapshot {
	rng, _ := m.rng.MarshalBinary() // PCG's MarshalBinary cannot fail
	s := &abi.Snapshot{
		V:           abi.Version,
		Config:      m.cfg.given,
		Rand:        rng,
		Clock:       m.clock,
		NextAttempt: m.nextAttempt,
	}
	for _, p := range m.providers {
		s.Providers = append(s.Providers, abi.Provider{ID: p.id})
		names := make([]string, 0, len(p.models))
		for n := range p.models {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			mo := p.models[n]
			s.Models = append(s.Models, abi.ModelState{Model: mo.cfg, MeanOutput: mo.meanOutput})
		}
	}
	for _, k := range m.keys {
		s.Keys = append(s.Keys, keyState(k, m.clock))
	}
	for _, b := range m.budgets {
		s.Budgets = append(s.Budgets, budgetState(b, m.clock))
	}
	for _, c := range m.clients {
		s.Clients = append(s.Clients, abi.ClientState{Client: c.cfg, Minute: abi.Window(c.minute)})
	}
	m.attempts.each(func(a *attempt) {
		as := abi.AttemptState{
			ID: a.id, Key: a.key.cfg.ID, Provider: a.key.cfg.Provider, Model: a.model.cfg.Name,
			Start: a.start, Probe: a.probe, Pool: a.pool.name, Price: a.price, Discount: a.discount, Estimate: a.estimate,
		}
		if a.client != nil {
			as.Client = a.client.cfg.ID
		}
		for _, r := range a.res {
			if !r.b.removed {
				as.Reservations = append(as.Reservations, abi.Reservation{Budget: r.b.cfg.ID, Amount: abi.NanoUSD(r.amount)})
			}
		}
		s.Attempts = append(s.Attempts, as)
	})
	return s
}

// budgetState is a budget as of now: a period that has ended reads as the
// new one, and a rolling window's buckets as they are at now.
func budgetState(b *budget, now abi.UnixNano) abi.BudgetState {
	spent, shift := b.spentAt(now)
	bs := abi.BudgetState{Budget: b.cfg, Start: b.start, Spent: abi.NanoUSD(spent), Reserved: abi.NanoUSD(b.reserved)}
	if b.cfg.Period != abi.Rolling {
		if start := periodStart(b.cfg.Period, now); now > 0 && start != b.start {
			bs.Start = start
		}
		return bs
	}
	bs.Buckets = make([]abi.NanoUSD, rollingBuckets)
	if shift < rollingBuckets {
		for i, v := range b.buckets[shift:] {
			bs.Buckets[i] = abi.NanoUSD(v)
		}
	}
	bs.Start += abi.UnixNano(shift * b.bucketLen())
	return bs
}

// keyState is a key as of now: a pool whose cooldown has passed reads as
// probing, as the next decision would find it.
func keyState(k *key, now abi.UnixNano) abi.KeyState {
	ks := abi.KeyState{
		Key: k.cfg, State: k.state, Trigger: k.trigger, Since: k.since,
		InFlight: k.inFlight, Current: k.current, LastUsed: k.lastUsed,
		Usage: abi.Windows{Minute: abi.Window(k.minute), Day: abi.Window(k.day)},
	}
	pools := slices.Clone(k.pools)
	slices.SortFunc(pools, func(a, b *pool) int { return strings.Compare(a.name, b.name) })
	for _, p := range pools {
		state, trigger, until := p.state, p.trigger, p.until
		if eff := p.effective(now); eff != state {
			state, trigger, until = eff, abi.TriggerElapsed, 0
		}
		ks.Pools = append(ks.Pools, abi.PoolState{
			Name: p.name, State: state, Trigger: trigger, Until: until, Ladder: p.ladder,
			FailStreak: p.failStreak, Probe: p.probe, InFlight: p.inFlight,
			Success: abi.PPM(p.success), SuccessSamples: p.successSamples, LatencyMicros: p.latency,
			Usage:    abi.Windows{Minute: abi.Window(p.minute), Day: abi.Window(p.day)},
			Observed: p.observed,
		})
	}
	return ks
}

// Restore returns a machine in the state a snapshot describes. It validates
// the snapshot as strictly as the events that built it.
func Restore(s *abi.Snapshot) (*Machine, error) {
	m, err := New(s.Config)
	if err != nil {
		return nil, err
	}
	if err := m.rng.UnmarshalBinary(s.Rand); err != nil {
		return nil, abi.Errorf(abi.InvalidArgument, "snapshot random state: %v", err)
	}
	if s.Clock < 0 || s.NextAttempt == 0 {
		return nil, abi.Errorf(abi.InvalidArgument, "snapshot clock must not be negative and next_attempt not zero")
	}
	m.clock, m.nextAttempt = s.Clock, s.NextAttempt
	for i := range s.Providers {
		if m.providerByID[s.Providers[i].ID] != nil {
			return nil, abi.Errorf(abi.InvalidArgument, "snapshot repeats provider %q", s.Providers[i].ID)
		}
		if err := m.upsertProvider(&s.Providers[i]); err != nil {
			return nil, err
		}
	}
	for i := range s.Models {
		ms := &s.Models[i]
		if pr := m.providerByID[ms.Model.Provider]; pr != nil && pr.models[ms.Model.Name] != nil {
			return nil, abi.Errorf(abi.InvalidArgument, "snapshot repeats model %q of %q", ms.Model.Name, ms.Model.Provider)
		}
		if err := m.upsertModel(&ms.Model); err != nil {
			return nil, err
		}
		if ms.MeanOutput < 0 || ms.MeanOutput > MaxTokens {
			return nil, abi.Errorf(abi.InvalidArgument, "model %q: mean output out of range", ms.Model.Name)
		}
		m.providerByID[ms.Model.Provider].models[ms.Model.Name].meanOutput = ms.MeanOutput
	}
	for i := range s.Budgets {
		if err := m.restoreBudget(&s.Budgets[i]); err != nil {
			return nil, err
		}
	}
	for i := range s.Keys {
		if err := m.restoreKey(&s.Keys[i]); err != nil {
			return nil, err
		}
	}
	for i := range s.Clients {
		cs := &s.Clients[i]
		if m.clientByID[cs.Client.ID] != nil {
			return nil, abi.Errorf(abi.InvalidArgument, "snapshot repeats client %q", cs.Client.ID)
		}
		if err := m.upsertClient(&cs.Client); err != nil {
			return nil, err
		}
		if err := validWindow(cs.Minute); err != nil {
			return nil, err
		}
		m.clientByID[cs.Client.ID].minute = window(cs.Minute)
	}
	if err := m.restoreAttempts(s.Attempts); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Machine) restoreBudget(bs *abi.BudgetState) error {
	if m.budgetByID[bs.Budget.ID] != nil {
		return abi.Errorf(abi.InvalidArgument, "snapshot repeats budget %q", bs.Budget.ID)
	}
	if err := m.upsertBudget(&bs.Budget); err != nil {
		return err
	}
	b := m.budgetByID[bs.Budget.ID]
	if bs.Spent < 0 || bs.Reserved < 0 || bs.Start < 0 {
		return abi.Errorf(abi.InvalidArgument, "budget %q: negative spend, reservation or start", bs.Budget.ID)
	}
	b.setStart(bs.Start)
	b.spent, b.reserved = int64(bs.Spent), int64(bs.Reserved)
	switch {
	case b.buckets == nil && len(bs.Buckets) != 0:
		return abi.Errorf(abi.InvalidArgument, "budget %q: only a rolling budget has buckets", bs.Budget.ID)
	case b.buckets != nil && len(bs.Buckets) != 0 && len(bs.Buckets) != rollingBuckets:
		return abi.Errorf(abi.InvalidArgument, "budget %q: a rolling budget has %d buckets", bs.Budget.ID, rollingBuckets)
	}
	for i, v := range bs.Buckets {
		if v < 0 {
			return abi.Errorf(abi.InvalidArgument, "budget %q: negative bucket", bs.Budget.ID)
		}
		b.buckets[i] = int64(v)
	}
	return nil
}

func (m *Machine) restoreKey(ks *abi.KeyState) error {
	if m.keyByID[ks.Key.ID] != nil {
		return abi.Errorf(abi.InvalidArgument, "snapshot repeats key %q", ks.Key.ID)
	}
	if err := m.upsertKey(&ks.Key); err != nil {
		return err
	}
	k := m.keyByID[ks.Key.ID]
	switch ks.State {
	case abi.Active, abi.Invalid, abi.Disabled, abi.Revoked:
	default:
		return abi.Errorf(abi.InvalidArgument, "key %q: %s is not a key-wide state", ks.Key.ID, ks.State)
	}
	if ks.Trigger > abi.TriggerRotate || ks.InFlight < 0 || ks.Since < 0 || ks.LastUsed < 0 {
		return abi.Errorf(abi.InvalidArgument, "key %q: invalid trigger, in-flight count or time", ks.Key.ID)
	}
	if err := validWindows(ks.Usage); err != nil {
		return err
	}
	k.state, k.trigger, k.since, k.inFlight, k.current, k.lastUsed = ks.State, ks.Trigger, ks.Since, ks.InFlight, ks.Current, ks.LastUsed
	k.minute, k.day = window(ks.Usage.Minute), window(ks.Usage.Day)
	for i := range ks.Pools {
		ps := &ks.Pools[i]
		if !validModelName(ps.Name) || k.pool(m.poolID(ps.Name)) != nil {
			return abi.Errorf(abi.InvalidArgument, "key %q: pool name %q invalid or repeated", ks.Key.ID, ps.Name)
		}
		switch ps.State {
		case abi.Active, abi.Probing, abi.CoolingDown, abi.Exhausted:
		default:
			return abi.Errorf(abi.InvalidArgument, "key %q pool %q: %s is not a pool state", ks.Key.ID, ps.Name, ps.State)
		}
		if ps.Trigger > abi.TriggerRotate || ps.Until < 0 || ps.Ladder < 0 || ps.FailStreak < 0 || ps.InFlight < 0 ||
			ps.Success < 0 || ps.Success > ppmOne || ps.SuccessSamples < 0 || ps.LatencyMicros < 0 {
			return abi.Errorf(abi.InvalidArgument, "key %q pool %q: a counter is out of range", ks.Key.ID, ps.Name)
		}
		if err := validWindows(ps.Usage); err != nil {
			return err
		}
		p := k.ensurePool(m.poolID(ps.Name), ps.Name)
		p.state, p.trigger, p.until, p.ladder = ps.State, ps.Trigger, ps.Until, min(ps.Ladder, 1<<20)
		p.failStreak, p.probe, p.inFlight = ps.FailStreak, ps.Probe, ps.InFlight
		p.success, p.successSamples, p.latency = int64(ps.Success), ps.SuccessSamples, ps.LatencyMicros
		p.minute, p.day = window(ps.Usage.Minute), window(ps.Usage.Day)
		p.observed, p.reported = ps.Observed, ps.Observed.At != 0
	}
	return nil
}

func validWindows(w abi.Windows) error {
	if err := validWindow(w.Minute); err != nil {
		return err
	}
	return validWindow(w.Day)
}

func validWindow(w abi.Window) error {
	if w.Start < 0 {
		return abi.Errorf(abi.InvalidArgument, "a usage window cannot start before 1970")
	}
	for _, v := range [...]int64{w.Requests, int64(w.Input), int64(w.Output), w.PrevReq, int64(w.PrevInput), int64(w.PrevOutput)} {
		if v < 0 || v > 1<<56 {
			return abi.Errorf(abi.InvalidArgument, "usage window counts must be 0..2^56")
		}
	}
	return nil
}

// restoreAttempts reopens the attempts awaiting outcomes. An attempt whose
// key, model or client has since been removed still settles its budgets,
// so it gets a detached stand-in.
func (m *Machine) restoreAttempts(list []abi.AttemptState) error {
	detached := map[abi.KeyID]*key{}
	for i := range list {
		as := &list[i]
		if as.ID == 0 || as.ID >= m.nextAttempt || m.attempts.find(as.ID) != nil {
			return abi.Errorf(abi.InvalidArgument, "attempt %d: id repeated or not below next_attempt", as.ID)
		}
		if i > 0 && as.ID < list[i-1].ID {
			return abi.Errorf(abi.InvalidArgument, "attempts must be sorted by id")
		}
		if !abi.ValidID(string(as.Key)) || !validModelName(as.Pool) || as.Discount < 0 || as.Discount > 10000 ||
			as.Start < 0 || as.Price.Input < 0 || as.Price.Output < 0 || as.Price.CachedInput < 0 {
			return abi.Errorf(abi.InvalidArgument, "attempt %d: invalid key, pool, price or start", as.ID)
		}
		k := m.keyByID[as.Key]
		if k == nil {
			if k = detached[as.Key]; k == nil {
				k = newKey(abi.Key{ID: as.Key, Provider: as.Provider}, &provider{id: as.Provider})
				k.removed = true
				detached[as.Key] = k
			}
		}
		var mo *model
		if pr := m.providerByID[as.Provider]; pr != nil && k.prov == pr {
			mo = pr.models[as.Model]
		}
		if mo == nil {
			mo = &model{cfg: abi.Model{Provider: as.Provider, Name: as.Model}, prov: k.prov, poolName: as.Pool}
		}
		a := m.attempts.add(as.ID)
		a.key, a.model, a.client = k, mo, m.clientByID[as.Client]
		a.pool = k.ensurePool(m.poolID(as.Pool), as.Pool)
		a.start, a.probe, a.price, a.discount, a.estimate = as.Start, as.Probe, as.Price, as.Discount, as.Estimate
		for _, r := range as.Reservations {
			if b := m.budgetByID[r.Budget]; b != nil && r.Amount >= 0 {
				a.res = append(a.res, reservation{b, int64(r.Amount)})
			}
		}
	}
	return nil
}
