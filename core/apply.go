package core

import "github.com/apikeyrouter/apikeyrouter/abi"

// Apply feeds one event to the machine and writes what it caused into fx,
// reusing fx's buffers. An event the machine refuses (invalid, unknown id,
// a transition the state machine rejects) changes nothing and says why in
// fx.Code and fx.Message.
func (m *Machine) Apply(ev *abi.Event, fx *abi.Effects) {
	*fx = abi.Effects{V: abi.Version, Transitions: fx.Transitions[:0]}
	if err := m.apply(ev, fx); err != nil {
		e, ok := err.(*abi.Error)
		if !ok {
			e = abi.Errorf(abi.Internal, "%v", err)
		}
		*fx = abi.Effects{V: abi.Version, Code: e.Code, Message: e.Message, Transitions: fx.Transitions[:0]}
	}
}

func (m *Machine) apply(ev *abi.Event, fx *abi.Effects) error {
	if ev.Now <= 0 {
		return abi.Errorf(abi.InvalidArgument, "now must be a positive Unix time in nanoseconds")
	}
	set := 0
	for _, present := range [...]bool{ev.Config != nil, ev.Provider != nil, ev.Model != nil, ev.Key != nil,
		ev.Budget != nil, ev.Client != nil, ev.Command != nil, ev.Outcome != nil} {
		if present {
			set++
		}
	}
	if set > 1 {
		return abi.Errorf(abi.InvalidArgument, "an event carries at most one payload, this one has %d", set)
	}
	now := m.advance(ev.Now, false)
	switch {
	case set == 0: // a clock tick: time moved on, overdue attempts expired
		return nil
	case ev.Config != nil:
		c, err := newConfig(*ev.Config)
		if err != nil {
			return err
		}
		m.cfg = c
		if ev.Config.Seed1 != 0 || ev.Config.Seed2 != 0 {
			m.rng.Seed(ev.Config.Seed1, ev.Config.Seed2)
		}
		return nil
	case ev.Provider != nil:
		return m.upsertProvider(ev.Provider)
	case ev.Model != nil:
		return m.upsertModel(ev.Model)
	case ev.Key != nil:
		return m.upsertKey(ev.Key)
	case ev.Budget != nil:
		return m.upsertBudget(ev.Budget)
	case ev.Client != nil:
		return m.upsertClient(ev.Client)
	case ev.Command != nil:
		return m.command(now, ev.Command, fx)
	default:
		return m.outcome(now, ev.Outcome, fx)
	}
}

// command carries out an operator command or a removal.
func (m *Machine) command(now abi.UnixNano, c *abi.Command, fx *abi.Effects) error {
	var trigger abi.Trigger
	switch c.Op {
	case abi.OpDisableKey:
		trigger = abi.TriggerDisable
	case abi.OpEnableKey:
		trigger = abi.TriggerEnable
	case abi.OpRevokeKey:
		trigger = abi.TriggerRevoke
	case abi.OpRotateKey:
		trigger = abi.TriggerRotate
	case abi.OpRemoveKey:
		k := m.keyByID[abi.KeyID(c.ID)]
		if k == nil {
			return abi.Errorf(abi.UnknownKey, "no key %q", c.ID)
		}
		m.dropKey(k)
		return nil
	case abi.OpRemoveProvider:
		return m.removeProvider(abi.ProviderID(c.ID))
	case abi.OpRemoveModel:
		return m.removeModel(c.Provider, c.ID)
	case abi.OpRemoveBudget:
		return m.removeBudget(abi.BudgetID(c.ID))
	case abi.OpRemoveClient:
		return m.removeClient(abi.ClientID(c.ID))
	default:
		return abi.Errorf(abi.InvalidArgument, "unknown command op %d", c.Op)
	}
	k := m.keyByID[abi.KeyID(c.ID)]
	if k == nil {
		return abi.Errorf(abi.UnknownKey, "no key %q", c.ID)
	}
	if next(k.state, trigger) == reject {
		return abi.Errorf(abi.InvalidTransition, "key %s is %s: cannot %s", k.cfg.ID, k.state, trigger)
	}
	m.moveKey(now, k, trigger, fx)
	return nil
}

// moveKey applies a key-wide trigger.
func (m *Machine) moveKey(now abi.UnixNano, k *key, t abi.Trigger, fx *abi.Effects) {
	to := next(k.state, t)
	if to == reject || to == k.state {
		return
	}
	fx.Transitions = append(fx.Transitions, abi.Transition{Key: k.cfg.ID, From: k.state, To: to, Trigger: t})
	k.state, k.trigger, k.since = to, t, now
}

// movePool applies an outcome trigger to a pool; until is the deadline of
// a cooldown or exhaustion it starts (the later one wins).
func (m *Machine) movePool(now abi.UnixNano, k *key, p *pool, t abi.Trigger, until abi.UnixNano, fx *abi.Effects) {
	if eff := p.effective(now); eff != p.state {
		m.record(fx, k, p, eff, abi.TriggerElapsed, 0)
	}
	to := next(p.state, t)
	if to == reject {
		return
	}
	switch to {
	case abi.CoolingDown, abi.Exhausted:
		if p.state == to {
			until = max(until, p.until)
		}
	default:
		until = 0
	}
	if to == p.state && until == p.until {
		return
	}
	m.record(fx, k, p, to, t, until)
}

func (m *Machine) record(fx *abi.Effects, k *key, p *pool, to abi.State, t abi.Trigger, until abi.UnixNano) {
	fx.Transitions = append(fx.Transitions, abi.Transition{
		Key: k.cfg.ID, Pool: p.name, From: p.state, To: to, Trigger: t, Until: until,
	})
	p.state, p.trigger, p.until = to, t, until
}
