package proxy

import (
	"fmt"
	"net/http"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// codeDefinedByConfig refuses a change to what the configuration defines.
const codeDefinedByConfig = "defined_by_config"

// keyDefinedByConfig is the 409 for a change to a key the configuration
// defines ([Config.ConfigKeys]), or nil for any other key. The change
// would be undone at the next start, when the key is registered again from
// there; its state (disabled, revoked) is not, so it stays changeable.
func (a *admin) keyDefinedByConfig(id abi.KeyID) *apiError {
	src, ok := a.s.cfg.ConfigKeys[id]
	return definedByConfig(ok, "key", string(id), src)
}

// budgetDefinedByConfig is the 409 for a change to a budget the
// configuration defines ([Config.ConfigBudgets]), or nil for any other.
func (a *admin) budgetDefinedByConfig(id abi.BudgetID) *apiError {
	src, ok := a.s.cfg.ConfigBudgets[id]
	return definedByConfig(ok, "budget", string(id), src)
}

func definedByConfig(defined bool, kind, id, src string) *apiError {
	if !defined {
		return nil
	}
	if src == "" {
		src = "the configuration"
	}
	return &apiError{status: http.StatusConflict, typ: typeInvalidRequest, code: codeDefinedByConfig,
		message: fmt.Sprintf("%s %q is defined by %s; change it there and restart", kind, id, src)}
}
