package router

import (
	"context"
	"fmt"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// Request asks for a key for one attempt of an LLM call.
type Request struct {
	// Model is the model name, e.g. "gpt-4o-mini", or "<provider>/<name>"
	// as [Router.Do] takes it; the decision's Model is the provider's name.
	Model string
	// Objective is a goal name or a JSON mix (see [ParseObjective]); empty
	// means the configured default.
	Objective string
	// InputTokens is an estimate of the prompt's tokens; MaxOutputTokens
	// the request's max_tokens (0: absent).
	InputTokens, MaxOutputTokens int64
	// Choices is how many answers the request asks for (n; 0: one).
	Choices int64
	// Exclude lists keys already tried for this request.
	Exclude []abi.KeyID
	// Provider pins a provider; Client names a virtual client key.
	Provider abi.ProviderID
	Client   abi.ClientID
	// Tags a key must carry.
	Tags []string
	// DryRun explains the decision without opening an attempt.
	DryRun bool
	// Detail lists every candidate and exclusion.
	Detail bool
}

// Refusal is the error Route and Do return when no key may serve a
// request, and why.
type Refusal struct {
	Code abi.Code
	// RetryAt is the earliest time a retry could succeed; zero if unknown.
	RetryAt time.Time
	Message string
	// Decision is the core's refusal, with its exclusions.
	Decision *abi.Decision
}

// Error implements error.
func (e *Refusal) Error() string {
	s := fmt.Sprintf("router: %s: %s", e.Code, e.Message)
	if !e.RetryAt.IsZero() {
		s += fmt.Sprintf(" (retry at %s)", e.RetryAt.UTC().Format(time.RFC3339))
	}
	return s
}

// Route picks the key for one attempt and explains the choice; it reads
// the model name as [Router.Do] does. A refusal
// (no eligible key, a budget, a client's scope …) returns the decision and
// a [*Refusal]. Unless a dry run, the attempt must be settled with
// [Router.Report].
func (r *Router) Route(req Request) (*abi.Decision, error) {
	obj, err := ParseObjective(req.Objective)
	if err != nil {
		return nil, &Refusal{Code: abi.InvalidArgument, Message: err.Error()}
	}
	t, err := r.resolve(req.Model, req.Provider)
	if err != nil {
		return nil, err
	}
	return r.route(context.Background(), &abi.RouteRequest{
		Model: t.model, Provider: t.provider, Client: req.Client, Objective: obj,
		InputTokens: abi.Tokens(req.InputTokens), MaxOutputTokens: abi.Tokens(req.MaxOutputTokens), Choices: req.Choices,
		Exclude: req.Exclude, Tags: req.Tags, DryRun: req.DryRun, Detail: req.Detail,
	})
}

// route asks the core; a dry run is not journaled.
func (r *Router) route(ctx context.Context, in *abi.RouteRequest) (*abi.Decision, error) {
	in.V = abi.Version
	d := new(abi.Decision)
	r.mu.Lock()
	in.Now = abi.UnixNano(r.now().UnixNano())
	var out []byte
	var err error
	if in.DryRun {
		var enc []byte
		if enc, err = abi.AppendEncode(r.buf[:0], in); err == nil {
			r.buf = enc
			r.applyPendingLocked(ctx)
			out, err = r.engine.Route(ctx, enc)
		}
	} else {
		out, err = r.mutate(ctx, opRoute, in)
	}
	if err == nil {
		err = abi.Decode(out, d)
	}
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if d.Code != abi.OK {
		e := &Refusal{Code: d.Code, Message: d.Message, Decision: d}
		if d.RetryAt != 0 {
			e.RetryAt = time.Unix(0, int64(d.RetryAt))
		}
		return d, e
	}
	return d, nil
}

// Report settles an attempt with its outcome: the actual cost is charged
// to every budget the decision reserved on, and the key's health, usage,
// rate-limit view and state are updated. The effects list the state
// changes it caused.
func (r *Router) Report(attempt uint64, o abi.Outcome) (abi.Effects, error) {
	o.Attempt = attempt
	return r.apply(context.Background(), abi.Event{Outcome: &o})
}
