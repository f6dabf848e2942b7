package proxy

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// budgetView is a budget with its spend in the current period.
type budgetView struct {
	ID     abi.BudgetID `json:"id"`
	Scope  abi.Scope    `json:"scope"`
	Target string       `json:"target,omitempty"`
	Period abi.Period   `json:"period"`
	// Window is a rolling budget's length, as a Go duration.
	Window       string          `json:"window,omitempty"`
	LimitUSD     usdAmount       `json:"limit_usd"`
	Enforcement  abi.Enforcement `json:"enforcement"`
	SpentUSD     usdAmount       `json:"spent_usd"`
	ReservedUSD  usdAmount       `json:"reserved_usd"`
	RemainingUSD usdAmount       `json:"remaining_usd"`
	// PeriodStart is when the current period (a rolling budget: its
	// window) began; ResetsAt when it ends (a rolling budget: when the
	// oldest spend still in the window ages out, if any).
	PeriodStart stamp `json:"period_start,omitempty"`
	ResetsAt    stamp `json:"resets_at,omitempty"`
}

func budgetViewOf(bs *abi.BudgetState) budgetView {
	b := bs.Budget
	v := budgetView{ID: b.ID, Scope: b.Scope, Target: b.Target, Period: b.Period, LimitUSD: usdAmount(b.Limit),
		Enforcement: b.Enforcement, SpentUSD: usdAmount(bs.Spent), ReservedUSD: usdAmount(bs.Reserved),
		RemainingUSD: usdAmount(max(b.Limit-bs.Spent-bs.Reserved, 0)), PeriodStart: stamp(bs.Start)}
	if b.Period != abi.Rolling {
		v.ResetsAt = stamp(budgetPeriodEnd(b.Period, bs.Start))
		return v
	}
	v.Window = time.Duration(b.Window).String()
	// The window is len(Buckets) buckets; the newest began at Start.
	bucket := abi.UnixNano(int64(b.Window) / int64(max(len(bs.Buckets), 1)))
	v.PeriodStart = stamp(bs.Start + bucket - abi.UnixNano(b.Window))
	for i, spent := range bs.Buckets {
		if spent != 0 {
			v.ResetsAt = stamp(bs.Start + abi.UnixNano(i+1)*bucket)
			break
		}
	}
	return v
}

// budgetPeriodEnd returns the end of the UTC calendar period that began at start.
func budgetPeriodEnd(p abi.Period, start abi.UnixNano) stamp {
	t := time.Unix(0, int64(start)).UTC()
	switch p {
	case abi.Hourly:
		t = t.Add(time.Hour)
	case abi.Daily:
		t = t.AddDate(0, 0, 1)
	case abi.Weekly:
		t = t.AddDate(0, 0, 7)
	case abi.Monthly:
		t = t.AddDate(0, 1, 0)
	}
	return stamp(t.UnixNano())
}

// budgetInput is a budget as POST and PUT take it.
type budgetInput struct {
	ID    abi.BudgetID `json:"id"`
	Scope string       `json:"scope"`
	// Target is the provider id, key id, model name or client id.
	Target string `json:"target"`
	Period string `json:"period"`
	// Window is a rolling budget's length, a Go duration ("720h").
	Window string `json:"window"`
	// LimitUSD is a decimal string or a JSON number of dollars.
	LimitUSD    json.RawMessage `json:"limit_usd"`
	Enforcement string          `json:"enforcement"`
}

// budget checks the input and returns the core's budget. Scope defaults
// to global and enforcement to hard; the period is required. Errors name
// the field after prefix (the input's place in a larger body).
func (in *budgetInput) budget(prefix string) (abi.Budget, *apiError) {
	b := abi.Budget{ID: in.ID, Target: in.Target}
	var err error
	if in.Scope != "" {
		if b.Scope, err = abi.ParseScope(in.Scope); err != nil {
			return b, invalidField(prefix+"scope", "unknown scope %q (global, provider, key, model or client)", in.Scope)
		}
	}
	if in.Period == "" {
		return b, invalidField(prefix+"period", "is required (hourly, daily, weekly, monthly or rolling)")
	}
	if b.Period, err = abi.ParsePeriod(in.Period); err != nil {
		return b, invalidField(prefix+"period", "unknown period %q (hourly, daily, weekly, monthly or rolling)", in.Period)
	}
	if in.Enforcement != "" {
		if b.Enforcement, err = abi.ParseEnforcement(in.Enforcement); err != nil {
			return b, invalidField(prefix+"enforcement", "unknown enforcement %q (hard or soft)", in.Enforcement)
		}
	}
	if in.Window != "" {
		d, err := time.ParseDuration(in.Window)
		if err != nil {
			return b, invalidField(prefix+"window", "must be a Go duration such as \"720h\": %v", err)
		}
		b.Window = abi.Duration(d)
	}
	if b.Limit, err = parseUSD(in.LimitUSD); err != nil {
		return b, invalidField(prefix+"limit_usd", "%v", err)
	}
	return b, nil
}

// findBudget returns a budget's state in a snapshot, or nil.
func findBudget(snap *abi.Snapshot, id abi.BudgetID) *abi.BudgetState {
	for i := range snap.Budgets {
		if snap.Budgets[i].Budget.ID == id {
			return &snap.Budgets[i]
		}
	}
	return nil
}

// listBudgets serves GET /admin/v1/budgets.
func (a *admin) listBudgets(w http.ResponseWriter, _ *http.Request) {
	snap := a.s.router.Snapshot()
	out := make([]budgetView, 0, len(snap.Budgets))
	for i := range snap.Budgets {
		out = append(out, budgetViewOf(&snap.Budgets[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"budgets": out})
}

// writeBudget answers with a budget's current view.
func (a *admin) writeBudget(w http.ResponseWriter, status int, id abi.BudgetID) {
	bs := findBudget(a.s.router.Snapshot(), id)
	if bs == nil {
		notFoundError(abi.UnknownBudget, "no budget %q", id).write(w)
		return
	}
	writeJSON(w, status, budgetViewOf(bs))
}

// getBudget serves GET /admin/v1/budgets/{id}.
func (a *admin) getBudget(w http.ResponseWriter, r *http.Request) {
	a.writeBudget(w, http.StatusOK, abi.BudgetID(r.PathValue("id")))
}

// createBudget serves POST /admin/v1/budgets: a new budget, with its id.
func (a *admin) createBudget(w http.ResponseWriter, r *http.Request) {
	var in budgetInput
	if aerr := decodeBody(r, &in); aerr != nil {
		aerr.write(w)
		return
	}
	if in.ID == "" {
		invalidField("id", "is required").write(w)
		return
	}
	if findBudget(a.s.router.Snapshot(), in.ID) != nil {
		conflictError("budget %q exists: replace it with PUT /admin/v1/budgets/%s", in.ID, in.ID).write(w)
		return
	}
	a.setBudget(w, r, &in, http.StatusCreated)
}

// putBudget serves PUT /admin/v1/budgets/{id}: it creates (201) or
// replaces (200) a budget. The spend is kept when scope, target, period and
// window stay.
func (a *admin) putBudget(w http.ResponseWriter, r *http.Request) {
	id := abi.BudgetID(r.PathValue("id"))
	if aerr := a.budgetDefinedByConfig(id); aerr != nil {
		aerr.write(w)
		return
	}
	var in budgetInput
	if aerr := decodeBody(r, &in); aerr != nil {
		aerr.write(w)
		return
	}
	switch in.ID {
	case "":
		in.ID = id
	case id:
	default:
		invalidField("id", "%q differs from the path's %q", in.ID, id).write(w)
		return
	}
	status := http.StatusOK
	if findBudget(a.s.router.Snapshot(), id) == nil {
		status = http.StatusCreated
	}
	a.setBudget(w, r, &in, status)
}

func (a *admin) setBudget(w http.ResponseWriter, r *http.Request, in *budgetInput, status int) {
	b, aerr := in.budget("")
	if aerr != nil {
		aerr.write(w)
		return
	}
	if err := a.s.router.SetBudget(b); err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	a.writeBudget(w, status, b.ID)
}

// deleteBudget serves DELETE /admin/v1/budgets/{id}.
func (a *admin) deleteBudget(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if aerr := a.budgetDefinedByConfig(abi.BudgetID(id)); aerr != nil {
		aerr.write(w)
		return
	}
	if _, err := a.s.router.Command(abi.Command{Op: abi.OpRemoveBudget, ID: id}); err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
}
