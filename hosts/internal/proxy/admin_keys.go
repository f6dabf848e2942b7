package proxy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// keyView is a key as the admin API shows it: settings, masked secret,
// key-wide and per-pool state, and the core's quota forecast.
type keyView struct {
	ID       abi.KeyID      `json:"id"`
	Provider abi.ProviderID `json:"provider"`
	// Secret is masked: its first 3 and last 4 characters.
	Secret   string       `json:"secret"`
	State    abi.State    `json:"state"`
	Trigger  *abi.Trigger `json:"trigger,omitempty"`
	Since    stamp        `json:"since,omitempty"`
	Weight   int64        `json:"weight"`
	Tier     int64        `json:"tier"`
	Limits   abi.Limits   `json:"limits"`
	Tags     []string     `json:"tags"`
	Models   []string     `json:"models"`
	Discount int64        `json:"discount"`
	InFlight int64        `json:"in_flight"`
	LastUsed stamp        `json:"last_used,omitempty"`
	Pools    []poolView   `json:"pools"`
	// Forecast has one entry per model the key may serve.
	Forecast []forecastView `json:"forecast"`
}

// poolView is a key's state for one model or quota group.
type poolView struct {
	Name       string      `json:"name"`
	State      abi.State   `json:"state"`
	Trigger    abi.Trigger `json:"trigger"`
	Until      stamp       `json:"until,omitempty"`
	Ladder     int64       `json:"ladder"`
	FailStreak int64       `json:"fail_streak"`
	Probe      bool        `json:"probe"`
	InFlight   int64       `json:"in_flight"`
	SuccessPct percent     `json:"success_pct"`
	Samples    int64       `json:"samples"`
	LatencyUS  int64       `json:"latency_us"`
}

// keyView returns a key's view, its forecast taken from f.
func (a *admin) keyView(ks *abi.KeyState, f *forecaster) (*keyView, error) {
	secret, _ := a.s.router.Secret(ks.Key.ID)
	k := ks.Key
	v := &keyView{ID: k.ID, Provider: k.Provider, Secret: mask(secret), State: ks.State, Since: stamp(ks.Since),
		Weight: k.Weight, Tier: k.Tier, Limits: k.Limits, Tags: emptyIfNil(k.Tags), Models: emptyIfNil(k.Models),
		Discount: k.Discount, InFlight: ks.InFlight, LastUsed: stamp(ks.LastUsed), Pools: []poolView{}}
	if ks.Since != 0 {
		v.Trigger = &ks.Trigger
	}
	for _, p := range ks.Pools {
		v.Pools = append(v.Pools, poolView{Name: p.Name, State: p.State, Trigger: p.Trigger, Until: stamp(p.Until),
			Ladder: p.Ladder, FailStreak: p.FailStreak, Probe: p.Probe, InFlight: p.InFlight,
			SuccessPct: percent(p.Success), Samples: p.SuccessSamples, LatencyUS: p.LatencyMicros})
	}
	var err error
	v.Forecast, err = f.forKey(&ks.Key)
	return v, err
}

func emptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// findKey returns a key's state in a snapshot, or nil.
func findKey(snap *abi.Snapshot, id abi.KeyID) *abi.KeyState {
	for i := range snap.Keys {
		if snap.Keys[i].Key.ID == id {
			return &snap.Keys[i]
		}
	}
	return nil
}

// listKeys serves GET /admin/v1/keys.
func (a *admin) listKeys(w http.ResponseWriter, r *http.Request) {
	snap := a.s.router.Snapshot()
	f := newForecaster(a.s.router, snap)
	out := make([]*keyView, 0, len(snap.Keys))
	for i := range snap.Keys {
		v, err := a.keyView(&snap.Keys[i], f)
		if err != nil {
			a.errorFor(r, err).write(w)
			return
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
}

// writeKey answers with a key's current view.
func (a *admin) writeKey(w http.ResponseWriter, r *http.Request, status int, id abi.KeyID) {
	snap := a.s.router.Snapshot()
	ks := findKey(snap, id)
	if ks == nil {
		notFoundError(abi.UnknownKey, "no key %q", id).write(w)
		return
	}
	v, err := a.keyView(ks, newForecaster(a.s.router, snap))
	if err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	writeJSON(w, status, v)
}

// getKey serves GET /admin/v1/keys/{id}.
func (a *admin) getKey(w http.ResponseWriter, r *http.Request) {
	a.writeKey(w, r, http.StatusOK, abi.KeyID(r.PathValue("id")))
}

// keyInput is the body of POST /admin/v1/keys.
type keyInput struct {
	// ID is optional: "<provider>-<n>" is generated without one.
	ID       abi.KeyID      `json:"id"`
	Provider abi.ProviderID `json:"provider"`
	Secret   string         `json:"secret"`
	Weight   int64          `json:"weight"`
	Tier     int64          `json:"tier"`
	// Limits is an abi.Limits, decoded on its own so that its errors
	// name "limits.…".
	Limits   json.RawMessage `json:"limits"`
	Tags     []string        `json:"tags"`
	Models   []string        `json:"models"`
	Discount int64           `json:"discount"`
}

// createKey serves POST /admin/v1/keys: it registers a key and its secret.
func (a *admin) createKey(w http.ResponseWriter, r *http.Request) {
	var in keyInput
	if aerr := decodeBody(r, &in); aerr != nil {
		aerr.write(w)
		return
	}
	var limits abi.Limits
	if len(in.Limits) > 0 && string(in.Limits) != "null" {
		if aerr := decodeObject(in.Limits, &limits, "limits"); aerr != nil {
			aerr.write(w)
			return
		}
	}
	if in.Provider == "" {
		invalidField("provider", "is required").write(w)
		return
	}
	if aerr := checkSecret(in.Secret); aerr != nil {
		aerr.write(w)
		return
	}
	snap := a.s.router.Snapshot()
	switch {
	case in.ID == "":
		in.ID = newKeyID(snap, in.Provider)
	case findKey(snap, in.ID) != nil:
		conflictError("key %q exists: change it with PATCH, or its secret with POST .../rotate", in.ID).write(w)
		return
	}
	k := abi.Key{ID: in.ID, Provider: in.Provider, Weight: in.Weight, Tier: in.Tier, Limits: limits,
		Tags: in.Tags, Models: in.Models, Discount: in.Discount}
	if err := a.s.router.RegisterKey(k, in.Secret); err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	a.writeKey(w, r, http.StatusCreated, k.ID)
}

// newKeyID returns "<provider>-<n>" with the least n ≥ 1 not taken.
func newKeyID(snap *abi.Snapshot, provider abi.ProviderID) abi.KeyID {
	for n := 1; ; n++ {
		id := abi.KeyID(fmt.Sprintf("%s-%d", provider, n))
		if findKey(snap, id) == nil {
			return id
		}
	}
}

// maxSecretLen bounds a provider secret.
const maxSecretLen = 4096

// checkSecret accepts a secret that can travel in an HTTP header: 1 to
// 4096 printable ASCII characters, no spaces.
func checkSecret(s string) *apiError {
	if s == "" {
		return invalidField("secret", "is required")
	}
	if len(s) > maxSecretLen {
		return invalidField("secret", "is longer than %d bytes", maxSecretLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return invalidField("secret", "must be printable ASCII without spaces")
		}
	}
	return nil
}

// keyPatch is the body of PATCH /admin/v1/keys/{id}, a JSON merge patch
// (RFC 7396): an absent member keeps its value, null clears it, limits
// merge member by member, lists are replaced whole.
type keyPatch struct {
	Weight patchValue[int64] `json:"weight"`
	Tier   patchValue[int64] `json:"tier"`
	// Limits is null or a limitsPatch, decoded by [keyPatch.decodeLimits]
	// so that its errors name "limits.…".
	Limits   patchValue[json.RawMessage] `json:"limits"`
	Tags     patchValue[[]string]        `json:"tags"`
	Models   patchValue[[]string]        `json:"models"`
	Discount patchValue[int64]           `json:"discount"`
	limits   limitsPatch
}

type limitsPatch struct {
	RPM         patchValue[int64] `json:"rpm"`
	TPM         patchValue[int64] `json:"tpm"`
	RPD         patchValue[int64] `json:"rpd"`
	Concurrency patchValue[int64] `json:"concurrency"`
}

// decodeLimits decodes the merge patch of the limits.
func (p *keyPatch) decodeLimits() *apiError {
	if !p.Limits.set || p.Limits.null {
		return nil
	}
	return decodeObject(p.Limits.value, &p.limits, "limits")
}

// apply patches k.
func (p *keyPatch) apply(k *abi.Key) {
	p.Weight.apply(&k.Weight)
	p.Tier.apply(&k.Tier)
	p.Discount.apply(&k.Discount)
	p.Tags.apply(&k.Tags)
	p.Models.apply(&k.Models)
	if p.Limits.null {
		k.Limits = abi.Limits{}
	}
	p.limits.RPM.apply(&k.Limits.RPM)
	p.limits.TPM.apply(&k.Limits.TPM)
	p.limits.RPD.apply(&k.Limits.RPD)
	p.limits.Concurrency.apply(&k.Limits.Concurrency)
}

// patchKey serves PATCH /admin/v1/keys/{id}: it changes a key's settings,
// keeping its secret and state.
func (a *admin) patchKey(w http.ResponseWriter, r *http.Request) {
	id := abi.KeyID(r.PathValue("id"))
	if aerr := a.keyDefinedByConfig(id); aerr != nil {
		aerr.write(w)
		return
	}
	var p keyPatch
	if aerr := decodeBody(r, &p); aerr != nil {
		aerr.write(w)
		return
	}
	if aerr := p.decodeLimits(); aerr != nil {
		aerr.write(w)
		return
	}
	ks := findKey(a.s.router.Snapshot(), id)
	if ks == nil {
		notFoundError(abi.UnknownKey, "no key %q", id).write(w)
		return
	}
	k := ks.Key
	k.Tags, k.Models = slices.Clone(k.Tags), slices.Clone(k.Models)
	p.apply(&k)
	if err := a.s.router.UpdateKey(k); err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	a.writeKey(w, r, http.StatusOK, id)
}

// keyCommand serves POST /admin/v1/keys/{id}/disable, enable and revoke.
func (a *admin) keyCommand(op abi.Op) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if _, err := a.s.router.Command(abi.Command{Op: op, ID: id}); err != nil {
			a.errorFor(r, err).write(w)
			return
		}
		a.writeKey(w, r, http.StatusOK, abi.KeyID(id))
	}
}

// rotateInput is the body of POST /admin/v1/keys/{id}/rotate.
type rotateInput struct {
	Secret string `json:"secret"`
	// GraceSeconds is how long the replaced secret stays usable when the
	// provider refuses the new one; absent means router.DefaultRotationGrace.
	GraceSeconds *int64 `json:"grace_seconds"`
}

// maxGrace bounds a rotation's grace period.
const maxGrace = 30 * 24 * time.Hour

// rotateKey serves POST /admin/v1/keys/{id}/rotate: the key gets a new
// secret (and an invalid key becomes active again).
func (a *admin) rotateKey(w http.ResponseWriter, r *http.Request) {
	id := abi.KeyID(r.PathValue("id"))
	if aerr := a.keyDefinedByConfig(id); aerr != nil {
		aerr.write(w)
		return
	}
	var in rotateInput
	if aerr := decodeBody(r, &in); aerr != nil {
		aerr.write(w)
		return
	}
	if aerr := checkSecret(in.Secret); aerr != nil {
		aerr.write(w)
		return
	}
	grace := router.DefaultRotationGrace
	if g := in.GraceSeconds; g != nil {
		if *g < 0 || *g > int64(maxGrace/time.Second) {
			invalidField("grace_seconds", "must be 0..%d", int64(maxGrace/time.Second)).write(w)
			return
		}
		grace = time.Duration(*g) * time.Second
	}
	if _, err := a.s.router.RotateSecret(id, in.Secret, grace); err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	a.writeKey(w, r, http.StatusOK, id)
}

// deleteKey serves DELETE /admin/v1/keys/{id}: the key and its secret are
// forgotten.
func (a *admin) deleteKey(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if aerr := a.keyDefinedByConfig(abi.KeyID(id)); aerr != nil {
		aerr.write(w)
		return
	}
	if _, err := a.s.router.Command(abi.Command{Op: abi.OpRemoveKey, ID: id}); err != nil {
		a.errorFor(r, err).write(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
}
