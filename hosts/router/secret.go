package router

import (
	"context"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// secret is a key's provider secret, and the one it replaced while that
// one's grace period lasts.
type secret struct {
	current       string
	previous      string
	previousUntil time.Time
}

// fallback returns the replaced secret while its grace period lasts.
func (s *secret) fallback(now time.Time) (string, bool) {
	return s.previous, s.previous != "" && now.Before(s.previousUntil)
}

// RegisterKey adds or replaces a key and its secret. The secret stays in
// the Router (encrypted at rest with a DataDir): the core only ever sees
// the key's id.
func (r *Router) RegisterKey(k abi.Key, secretValue string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.applyLocked(context.Background(), abi.Event{Key: &k}); err != nil {
		return err
	}
	return r.setSecret(k.ID, &secret{current: secretValue})
}

// UpdateKey replaces a key's settings (weight, tier, limits …), keeping
// its secret.
func (r *Router) UpdateKey(k abi.Key) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.secrets[k.ID]; !ok {
		return &abi.Error{Code: abi.UnknownKey, Message: "no key " + string(k.ID)}
	}
	_, err := r.applyLocked(context.Background(), abi.Event{Key: &k})
	return err
}

// DefaultRotationGrace is how long a replaced secret stays usable unless
// said otherwise: an hour.
const DefaultRotationGrace = time.Hour

// RotateSecret replaces a key's secret. For grace, calls the provider
// rejects with the new secret (401/403) are retried with the old one: a
// new key may take a while to work everywhere. An invalid key becomes
// active again.
func (r *Router) RotateSecret(id abi.KeyID, newSecret string, grace time.Duration) (abi.Effects, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.secrets[id]
	if !ok {
		return abi.Effects{}, &abi.Error{Code: abi.UnknownKey, Message: "no key " + string(id)}
	}
	fx, err := r.applyLocked(context.Background(), abi.Event{Command: &abi.Command{Op: abi.OpRotateKey, ID: string(id)}})
	if err != nil {
		return fx, err
	}
	s := &secret{current: newSecret}
	if grace > 0 {
		s.previous, s.previousUntil = old.current, r.now().Add(grace)
	}
	return fx, r.setSecret(id, s)
}

// Secret returns the secret of a registered key.
func (r *Router) Secret(id abi.KeyID) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.secrets[id]
	if !ok {
		return "", false
	}
	return s.current, true
}

// setSecret keeps a secret in memory and, with a DataDir, encrypted at rest.
func (r *Router) setSecret(id abi.KeyID, s *secret) error {
	if r.persist != nil {
		if err := r.persist.saveSecret(id, s); err != nil {
			return err
		}
	}
	r.cfg.Lock()
	r.secrets[id] = s
	r.cfg.Unlock()
	return nil
}

func (r *Router) forgetSecret(id abi.KeyID) {
	r.cfg.Lock()
	delete(r.secrets, id)
	r.cfg.Unlock()
	if r.persist != nil {
		if err := r.persist.deleteSecret(id); err != nil {
			r.log.Error("delete secret", "key", id, "err", err)
		}
	}
}
