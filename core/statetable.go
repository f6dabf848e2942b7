package core

import "github.com/apikeyrouter/apikeyrouter/abi"

// reject marks a (state, trigger) pair the state machine refuses: an
// operator command that makes no sense in that state.
const reject abi.State = 255

// transitions is the key state machine: transitions[from][trigger] is the
// next state. Outcome triggers that do not apply to a state leave it where
// it is; only operator commands can be rejected.
//
// Two levels share this one table. A key's own state takes the key-wide
// triggers (auth failures and operator commands); each of its pools (a
// model or quota group) takes the outcome triggers, so a 429 on one model
// does not stop the key serving another. A key's effective state for a
// model is its own state unless that is active, else its pool's.
//
// This table is a statement of policy, tested edge by edge in
// testdata/scenarios/state_table.txt.
var transitions = [...][numTriggers]abi.State{
	abi.Active: {
		abi.TriggerSuccess:        abi.Active,
		abi.TriggerRateLimited:    abi.CoolingDown,
		abi.TriggerQuotaExhausted: abi.Exhausted,
		abi.TriggerTransient:      abi.Active,
		abi.TriggerFailureStreak:  abi.CoolingDown,
		abi.TriggerAuthFailed:     abi.Invalid,
		abi.TriggerElapsed:        abi.Active,
		abi.TriggerDisable:        abi.Disabled,
		abi.TriggerEnable:         abi.Active,
		abi.TriggerRevoke:         abi.Revoked,
		abi.TriggerRotate:         abi.Active,
	},
	abi.Probing: {
		abi.TriggerSuccess:        abi.Active,
		abi.TriggerRateLimited:    abi.CoolingDown,
		abi.TriggerQuotaExhausted: abi.Exhausted,
		abi.TriggerTransient:      abi.CoolingDown, // the probe failed
		abi.TriggerFailureStreak:  abi.CoolingDown,
		abi.TriggerAuthFailed:     abi.Invalid,
		abi.TriggerElapsed:        abi.Probing,
		abi.TriggerDisable:        abi.Disabled,
		abi.TriggerEnable:         abi.Probing,
		abi.TriggerRevoke:         abi.Revoked,
		abi.TriggerRotate:         abi.Probing,
	},
	abi.CoolingDown: {
		abi.TriggerSuccess:        abi.CoolingDown, // a late answer does not lift a cooldown
		abi.TriggerRateLimited:    abi.CoolingDown, // the later deadline wins
		abi.TriggerQuotaExhausted: abi.Exhausted,
		abi.TriggerTransient:      abi.CoolingDown,
		abi.TriggerFailureStreak:  abi.CoolingDown,
		abi.TriggerAuthFailed:     abi.Invalid,
		abi.TriggerElapsed:        abi.Probing,
		abi.TriggerDisable:        abi.Disabled,
		abi.TriggerEnable:         abi.CoolingDown,
		abi.TriggerRevoke:         abi.Revoked,
		abi.TriggerRotate:         abi.CoolingDown,
	},
	abi.Exhausted: {
		abi.TriggerSuccess:        abi.Exhausted,
		abi.TriggerRateLimited:    abi.Exhausted,
		abi.TriggerQuotaExhausted: abi.Exhausted, // the later deadline wins
		abi.TriggerTransient:      abi.Exhausted,
		abi.TriggerFailureStreak:  abi.Exhausted,
		abi.TriggerAuthFailed:     abi.Invalid,
		abi.TriggerElapsed:        abi.Probing,
		abi.TriggerDisable:        abi.Disabled,
		abi.TriggerEnable:         abi.Exhausted,
		abi.TriggerRevoke:         abi.Revoked,
		abi.TriggerRotate:         abi.Exhausted,
	},
	abi.Invalid: {
		abi.TriggerSuccess:        abi.Invalid,
		abi.TriggerRateLimited:    abi.Invalid,
		abi.TriggerQuotaExhausted: abi.Invalid,
		abi.TriggerTransient:      abi.Invalid,
		abi.TriggerFailureStreak:  abi.Invalid,
		abi.TriggerAuthFailed:     abi.Invalid,
		abi.TriggerElapsed:        abi.Invalid,
		abi.TriggerDisable:        abi.Disabled,
		abi.TriggerEnable:         abi.Active,
		abi.TriggerRevoke:         abi.Revoked,
		abi.TriggerRotate:         abi.Active,
	},
	abi.Disabled: {
		abi.TriggerSuccess:        abi.Disabled,
		abi.TriggerRateLimited:    abi.Disabled,
		abi.TriggerQuotaExhausted: abi.Disabled,
		abi.TriggerTransient:      abi.Disabled,
		abi.TriggerFailureStreak:  abi.Disabled,
		abi.TriggerAuthFailed:     abi.Disabled,
		abi.TriggerElapsed:        abi.Disabled,
		abi.TriggerDisable:        abi.Disabled,
		abi.TriggerEnable:         abi.Active,
		abi.TriggerRevoke:         abi.Revoked,
		abi.TriggerRotate:         abi.Disabled,
	},
	abi.Revoked: {
		abi.TriggerSuccess:        abi.Revoked,
		abi.TriggerRateLimited:    abi.Revoked,
		abi.TriggerQuotaExhausted: abi.Revoked,
		abi.TriggerTransient:      abi.Revoked,
		abi.TriggerFailureStreak:  abi.Revoked,
		abi.TriggerAuthFailed:     abi.Revoked,
		abi.TriggerElapsed:        abi.Revoked,
		abi.TriggerDisable:        reject,
		abi.TriggerEnable:         reject,
		abi.TriggerRevoke:         abi.Revoked,
		abi.TriggerRotate:         reject,
	},
}

// numTriggers is the number of triggers; the table must cover them all.
const numTriggers = int(abi.TriggerRotate) + 1

// next returns the state after trigger t in state s, or [reject].
func next(s abi.State, t abi.Trigger) abi.State {
	if int(s) >= len(transitions) || int(t) >= numTriggers {
		return reject
	}
	return transitions[s][t]
}
