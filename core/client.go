package core

import (
	"slices"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// client is a virtual client key's scope and request rate.
type client struct {
	cfg     abi.Client
	minute  window
	budgets []*budget
}

func (c *client) allows(model string) bool {
	if len(c.cfg.Models) == 0 {
		return true
	}
	_, ok := slices.BinarySearch(c.cfg.Models, model)
	return ok
}
