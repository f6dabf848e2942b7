package core

import (
	"slices"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

const numGoals = int(abi.GoalQuota) + 1

// objective is an [abi.Objective] resolved to weights.
type objective struct {
	// order is the primary goal, then the secondary ones: the tie-break order.
	order  [1 + maxSecondaries]abi.Goal
	n      int
	weight [numGoals]int64 // thousandths
	total  int64
	// single is set when only the primary goal has weight; rr when that
	// goal is fairness (plain smooth weighted round-robin).
	single, rr bool
	// headroom is set when ranking reads every candidate's quota headroom.
	headroom bool
}

func (o *objective) primary() abi.Goal { return o.order[0] }

// roundRobin reports whether the objective is plain fairness: smooth
// weighted round-robin, not a score.
func (o *objective) roundRobin() bool { return o.rr }

func validGoal(g abi.Goal) bool { return g > abi.GoalDefault && g <= abi.GoalQuota }

// MaxWeightMilli is the largest [abi.Weight] the core takes, in
// thousandths: a weight of 1000.
const MaxWeightMilli = 1_000_000

// CheckObjective returns nil if the core takes o, as [abi.Config]'s default
// objective or an [abi.RouteRequest]'s; else an [*abi.Error] with code
// [abi.InvalidArgument] saying why. The zero objective (the configured
// default) is valid. Otherwise the primary goal must be a known goal; at
// most 4 secondary goals, each known and named once (the primary counts);
// weights each for a known goal named once, in 0..[MaxWeightMilli], and
// not all zero. Secondary goals or weights without a primary goal are
// refused.
//
// [New] and [Machine.Route] check the objective with it, and refuse what
// it refuses with its message (Route after the request's other fields),
// so a host can refuse a bad objective up front, as the core would.
func CheckObjective(o abi.Objective) error {
	if o.Primary == abi.GoalDefault {
		if len(o.Secondary) > 0 || len(o.Weights) > 0 {
			return abi.Errorf(abi.InvalidArgument, "an objective with secondary goals or weights needs a primary goal")
		}
		return nil
	}
	if !validGoal(o.Primary) {
		return abi.Errorf(abi.InvalidArgument, "unknown goal %d", o.Primary)
	}
	if len(o.Secondary) > maxSecondaries {
		return abi.Errorf(abi.InvalidArgument, "at most %d secondary goals", maxSecondaries)
	}
	var seen [numGoals]bool
	seen[o.Primary] = true
	for _, g := range o.Secondary {
		if !validGoal(g) || seen[g] {
			return abi.Errorf(abi.InvalidArgument, "secondary goal %s is unknown or repeated", g)
		}
		seen[g] = true
	}
	if len(o.Weights) > numGoals {
		return abi.Errorf(abi.InvalidArgument, "at most %d weights", numGoals-1)
	}
	var weighted [numGoals]bool
	var total int64
	for _, w := range o.Weights {
		if !validGoal(w.Goal) || weighted[w.Goal] {
			return abi.Errorf(abi.InvalidArgument, "weight for goal %s is unknown or repeated", w.Goal)
		}
		if w.Milli < 0 || w.Milli > MaxWeightMilli {
			return abi.Errorf(abi.InvalidArgument, "weight %d for %s out of range 0..%d", w.Milli, w.Goal, MaxWeightMilli)
		}
		weighted[w.Goal] = true
		total += w.Milli
	}
	if len(o.Weights) > 0 && total == 0 {
		return abi.Errorf(abi.InvalidArgument, "weights sum to zero")
	}
	return nil
}

// resolve turns a valid objective into weights; the zero objective means
// the configured default.
func (m *Machine) resolve(in abi.Objective, o *objective) {
	if in.Primary == abi.GoalDefault {
		*o = m.cfg.resolved
		return
	}
	if len(in.Secondary) == 0 && len(in.Weights) == 0 && int(in.Primary) < numGoals {
		*o = singleGoals[in.Primary] // the common case, resolved once
		return
	}
	resolveObjective(in, o)
}

// singleGoals holds each goal alone, resolved.
var singleGoals = func() (all [numGoals]objective) {
	for g := range all {
		resolveObjective(abi.Objective{Primary: abi.Goal(g)}, &all[g])
	}
	return all
}()

func resolveObjective(in abi.Objective, o *objective) {
	*o = objective{}
	o.order[0] = in.Primary
	o.n = 1 + copy(o.order[1:], in.Secondary)
	switch {
	case len(in.Weights) > 0:
		for _, w := range in.Weights {
			o.weight[w.Goal] = w.Milli
		}
	case len(in.Secondary) == 0:
		o.weight[in.Primary] = 1000
	default:
		o.weight[in.Primary] = 700
		for _, g := range in.Secondary {
			o.weight[g] = 300 / int64(len(in.Secondary))
		}
	}
	for _, w := range o.weight {
		o.total += w
	}
	o.single = o.weight[o.order[0]] == o.total
	o.rr = o.total == o.weight[abi.GoalFairness]
	o.headroom = o.weight[abi.GoalQuota] > 0 || slices.Contains(o.order[:o.n], abi.GoalQuota)
}
