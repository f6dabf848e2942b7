package router

import (
	"fmt"
	"slices"
	"strings"
)

// Record is a host-side object kept with the router's state: a proxy's
// virtual client keys (token hashes), settings and the like — anything the
// core does not hold. Values are opaque bytes (JSON by convention).
type Record struct {
	ID    string
	Value []byte
}

// PutRecord stores a record of a kind (lowercase letters, digits and _),
// persisted with a DataDir.
func (r *Router) PutRecord(kind, id string, value []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.persist != nil {
		return r.persist.store.Put(kind, id, value)
	}
	if !validKind(kind) {
		return fmt.Errorf("router: record kind %q must be lowercase letters, digits and _", kind)
	}
	if r.records == nil {
		r.records = map[string]map[string][]byte{}
	}
	if r.records[kind] == nil {
		r.records[kind] = map[string][]byte{}
	}
	r.records[kind][id] = slices.Clone(value)
	return nil
}

// Records returns the records of a kind, sorted by id.
func (r *Router) Records(kind string) ([]Record, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.persist != nil {
		recs, err := r.persist.store.List(kind)
		if err != nil {
			return nil, err
		}
		out := make([]Record, len(recs))
		for i, rec := range recs {
			out[i] = Record{ID: rec.ID, Value: rec.Value}
		}
		return out, nil
	}
	var out []Record
	for id, v := range r.records[kind] {
		out = append(out, Record{ID: id, Value: slices.Clone(v)})
	}
	slices.SortFunc(out, func(a, b Record) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// DeleteRecord removes a record; removing a missing one is not an error.
func (r *Router) DeleteRecord(kind, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.persist != nil {
		return r.persist.store.Delete(kind, id)
	}
	delete(r.records[kind], id)
	return nil
}

func validKind(k string) bool {
	if k == "" || len(k) > 32 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' && i > 0 || c == '_' && i > 0) {
			return false
		}
	}
	return true
}
