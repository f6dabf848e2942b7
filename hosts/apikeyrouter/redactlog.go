package main

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// A plugin's log is redacted of every secret the proxy handed it: the SDK
// asks adapters to keep secrets out of their logs, but a panic's message or
// a third party's debug line is not under the author's control.
const (
	redacted = "[REDACTED]"
	// minSecretBytes is the shortest secret redacted: shorter ones would
	// match ordinary words of the log, and no provider issues keys so short.
	minSecretBytes = 8
	// maxSecrets bounds the set; the secrets handed over longest ago go first.
	maxSecrets = 1024
)

// secretSet holds the secrets handed to a plugin. A plugin learns a secret
// only from a call (never from its environment), so these are all it can
// log, the ones an admin rotated in at runtime and replaced ones still in
// their grace period included. Looking a secret up costs a call an atomic
// load and a map lookup; a new one copies the set.
type secretSet struct {
	mu  sync.Mutex // serialises adds
	cur atomic.Pointer[secretList]
}

// secretList is an immutable state of a [secretSet].
type secretList struct {
	has   map[string][][]byte // each secret's spellings
	order []string            // oldest first
	forms [][]byte            // each secret as it may appear in a log line, longest first
}

// add remembers secret, unless it is too short to redact.
func (s *secretSet) add(secret string) {
	if len(secret) < minSecretBytes {
		return
	}
	if l := s.cur.Load(); l != nil && l.has[secret] != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.cur.Load()
	if old == nil {
		old = &secretList{}
	}
	if old.has[secret] != nil {
		return
	}
	next := &secretList{has: make(map[string][][]byte, len(old.order)+1), order: append(slices.Clone(old.order), secret)}
	if len(next.order) > maxSecrets {
		next.order = next.order[len(next.order)-maxSecrets:]
	}
	for _, sec := range next.order {
		f, ok := old.has[sec]
		if !ok {
			f = spellings(sec)
		}
		next.has[sec] = f
		next.forms = append(next.forms, f...)
	}
	// Longest first: a secret that contains another is replaced whole.
	slices.SortStableFunc(next.forms, func(a, b []byte) int { return len(b) - len(a) })
	s.cur.Store(next)
}

// spellings are the ways a log line may spell secret: as it is, and
// inside a JSON string, with HTML characters escaped (hclog's default) or
// not.
func spellings(secret string) [][]byte {
	out := []string{secret}
	for _, html := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		_ = enc.Encode(secret) // a string always encodes
		q := strings.TrimSuffix(b.String(), "\"\n")[1:]
		if !slices.Contains(out, q) {
			out = append(out, q)
		}
	}
	b := make([][]byte, len(out))
	for i, o := range out {
		b[i] = []byte(o)
	}
	return b
}

// redact returns p with every secret replaced by [redacted]; p itself if
// it holds none.
func (s *secretSet) redact(p []byte) []byte {
	l := s.cur.Load()
	if l == nil {
		return p
	}
	for _, f := range l.forms {
		if bytes.Contains(p, f) {
			p = bytes.ReplaceAll(p, f, []byte(redacted))
		}
	}
	return p
}

// redactWriter writes to w what it is given with the secrets redacted. Each
// Write must carry whole lines, as hclog's do (an entry per Write): a
// secret split between two Writes is not found.
type redactWriter struct {
	w       io.Writer
	secrets *secretSet
}

func (r *redactWriter) Write(p []byte) (int, error) {
	if _, err := r.w.Write(r.secrets.redact(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Interface guards
var _ io.Writer = (*redactWriter)(nil)
