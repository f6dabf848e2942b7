package main

import (
	"errors"
	"log/slog"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// The store remembers which keys and budgets the configuration defined at
// the last start (records of these kinds, by id, valued with where), so
// that one the configuration no longer defines is removed rather than left
// in service: an operator who takes a leaked key out of the environment
// and restarts expects it gone. What the admin API added is never
// recorded here, so never removed.
const (
	kindConfigKey    = "config_key"
	kindConfigBudget = "config_budget"
)

// dropRemoved removes the keys and budgets the previous start's
// configuration defined and this one does not, then records this one's.
func dropRemoved(r *router.Router, keys map[abi.KeyID]string, budgets map[abi.BudgetID]string, log *slog.Logger) error {
	return errors.Join(
		drop(r, kindConfigKey, abi.OpRemoveKey, keys, log),
		drop(r, kindConfigBudget, abi.OpRemoveBudget, budgets, log))
}

// drop does dropRemoved for one kind of object, removed by op.
func drop[ID ~string](r *router.Router, kind string, op abi.Op, now map[ID]string, log *slog.Logger) error {
	before, err := r.Records(kind)
	if err != nil {
		return err
	}
	for _, rec := range before {
		if _, still := now[ID(rec.ID)]; still {
			continue
		}
		_, err := r.Command(abi.Command{Op: op, ID: rec.ID})
		var ae *abi.Error
		if err != nil && !(errors.As(err, &ae) && (ae.Code == abi.UnknownKey || ae.Code == abi.UnknownBudget)) {
			return err
		}
		if err == nil {
			log.Info("removed: the configuration no longer defines it", "kind", kind, "id", rec.ID, "was_defined_by", string(rec.Value))
		}
		if err := r.DeleteRecord(kind, rec.ID); err != nil {
			return err
		}
	}
	for id, src := range now {
		if err := r.PutRecord(kind, string(id), []byte(src)); err != nil {
			return err
		}
	}
	return nil
}
