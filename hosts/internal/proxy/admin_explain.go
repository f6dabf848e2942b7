package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// explainInput is the body of POST /admin/v1/explain: a request as the
// core would see it.
type explainInput struct {
	Model string `json:"model"`
	// Objective is a goal name or a JSON object
	// {"primary","secondary","weights"}; absent means the default.
	Objective   json.RawMessage `json:"objective"`
	InputTokens int64           `json:"input_tokens"`
	MaxTokens   int64           `json:"max_tokens"`
	Client      abi.ClientID    `json:"client"`
	Provider    abi.ProviderID  `json:"provider"`
	Tags        []string        `json:"tags"`
}

// request checks the input and returns the router's dry-run request.
func (in *explainInput) request() (router.Request, *apiError) {
	req := router.Request{Model: in.Model, InputTokens: in.InputTokens, MaxOutputTokens: in.MaxTokens,
		Client: in.Client, Provider: in.Provider, DryRun: true, Detail: true}
	switch {
	case in.Model == "":
		return req, invalidField("model", "is required")
	case in.InputTokens < 0:
		return req, invalidField("input_tokens", "must not be negative")
	case in.MaxTokens < 0:
		return req, invalidField("max_tokens", "must not be negative")
	case in.Provider != "" && !abi.ValidID(string(in.Provider)):
		return req, invalidField("provider", "%q is not a valid id", in.Provider)
	}
	for i, t := range in.Tags {
		if !abi.ValidID(t) {
			return req, invalidField(fmt.Sprintf("tags[%d]", i), "%q is not a valid id", t)
		}
	}
	if len(in.Tags) > 0 {
		req.Tags = slices.Compact(slices.Sorted(slices.Values(in.Tags)))
	}
	if o := in.Objective; len(o) > 0 && string(o) != "null" {
		switch o[0] {
		case '"':
			if err := json.Unmarshal(o, &req.Objective); err != nil {
				return req, invalidField("objective", "%v", err)
			}
		case '{':
			req.Objective = string(o)
		default:
			return req, invalidField("objective", "must be a goal name or a JSON object")
		}
		if err := checkObjective(req.Objective); err != nil {
			return req, invalidField("objective", "%v", err)
		}
	}
	return req, nil
}

// decisionView is the core's decision, with every candidate and exclusion.
type decisionView struct {
	// Routed is false for a refusal: Code says why, RetryAt when a retry
	// could succeed.
	Routed           bool            `json:"routed"`
	Code             abi.Code        `json:"code"`
	Message          string          `json:"message,omitempty"`
	RetryAt          stamp           `json:"retry_at,omitempty"`
	Key              abi.KeyID       `json:"key,omitempty"`
	Provider         abi.ProviderID  `json:"provider,omitempty"`
	Model            string          `json:"model"`
	Goal             abi.Goal        `json:"goal"`
	Fallbacks        []abi.KeyID     `json:"fallbacks"`
	EstimatedCostUSD usdAmount       `json:"estimated_cost_usd"`
	ReservedUSD      usdAmount       `json:"reserved_usd"`
	Eligible         int64           `json:"eligible"`
	Candidates       []candidateView `json:"candidates"`
	Excluded         []exclusionView `json:"excluded"`
	ExcludedTotal    int64           `json:"excluded_total"`
	SoftBudgets      []abi.BudgetID  `json:"soft_budgets"`
	Explanation      string          `json:"explanation"`
}

// candidateView is one eligible key's scores.
type candidateView struct {
	Key         abi.KeyID    `json:"key"`
	ScorePct    percent      `json:"score_pct"`
	CostUSD     usdAmount    `json:"cost_usd"`
	SuccessPct  percent      `json:"success_pct"`
	LatencyUS   int64        `json:"latency_us"`
	HeadroomPct percent      `json:"headroom_pct"`
	InFlight    int64        `json:"in_flight"`
	Capacity    abi.Capacity `json:"capacity"`
	Tier        int64        `json:"tier"`
	Probe       bool         `json:"probe"`
}

// exclusionView is a key left out, and why.
type exclusionView struct {
	Key    abi.KeyID  `json:"key"`
	Reason abi.Reason `json:"reason"`
	Until  stamp      `json:"until,omitempty"`
}

func decisionViewOf(d *abi.Decision) decisionView {
	v := decisionView{Routed: d.Code == abi.OK, Code: d.Code, Message: d.Message, RetryAt: stamp(d.RetryAt),
		Key: d.Key, Provider: d.Provider, Model: d.Model, Goal: d.Goal, Fallbacks: emptyIfNil(d.Fallbacks),
		EstimatedCostUSD: usdAmount(d.EstimatedCost), ReservedUSD: usdAmount(d.Reserved), Eligible: d.Eligible,
		Candidates: []candidateView{}, Excluded: []exclusionView{}, ExcludedTotal: d.ExcludedTotal,
		SoftBudgets: emptyIfNil(d.SoftBudgets), Explanation: d.Explanation.String()}
	for _, c := range d.Candidates {
		v.Candidates = append(v.Candidates, candidateView{Key: c.Key, ScorePct: percent(c.Score), CostUSD: usdAmount(c.Cost),
			SuccessPct: percent(c.Success), LatencyUS: c.LatencyMicros, HeadroomPct: percent(c.Headroom),
			InFlight: c.InFlight, Capacity: c.Capacity, Tier: c.Tier, Probe: c.Probe})
	}
	for _, e := range d.Excluded {
		v.Excluded = append(v.Excluded, exclusionView{Key: e.Key, Reason: e.Reason, Until: stamp(e.Until)})
	}
	return v
}

// explain serves POST /admin/v1/explain: the decision the core would make
// for a request, with its detail. It is a dry run: no upstream call, no
// attempt, no reservation, no round-robin step. A refusal is an answer too
// (200, routed false); only a malformed request, or a provider that does
// not exist, is an error.
func (a *admin) explain(w http.ResponseWriter, r *http.Request) {
	var in explainInput
	if aerr := decodeBody(r, &in); aerr != nil {
		aerr.write(w)
		return
	}
	req, aerr := in.request()
	if aerr != nil {
		aerr.write(w)
		return
	}
	if req.Provider != "" && !hasProvider(a.s.router.Snapshot(), req.Provider) {
		notFoundError(abi.UnknownProvider, "no provider %q", req.Provider).write(w)
		return
	}
	d, err := a.s.router.Route(req)
	if err != nil && !isRefusalDecision(err) {
		a.errorFor(r, err).write(w)
		return
	}
	writeJSON(w, http.StatusOK, decisionViewOf(d))
}

// isRefusalDecision reports whether a Route error is a refusal explain
// answers as a decision: any but that of a malformed request
// (invalid_argument, too_large …) or of a failing core.
func isRefusalDecision(err error) bool {
	var refusal *router.Refusal
	if !errors.As(err, &refusal) || refusal.Decision == nil {
		return false
	}
	switch refusal.Code {
	case abi.InvalidArgument, abi.TooLarge, abi.Malformed, abi.VersionMismatch, abi.Internal:
		return false
	}
	return true
}
