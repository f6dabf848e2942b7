package proxy

import "encoding/json"

// patchValue is one member of a JSON merge patch (RFC 7396): absent, it
// keeps the target's value; null, it clears it to the zero value (which the
// core reads as "not set"); anything else replaces it.
type patchValue[T any] struct {
	set, null bool
	value     T
}

// UnmarshalJSON implements json.Unmarshaler. encoding/json calls it for a
// member that is present, null included, so absent and null differ.
func (p *patchValue[T]) UnmarshalJSON(b []byte) error {
	p.set, p.null = true, string(b) == "null"
	if p.null {
		return nil
	}
	return json.Unmarshal(b, &p.value)
}

// apply patches *dst.
func (p *patchValue[T]) apply(dst *T) {
	switch {
	case p.null:
		var zero T
		*dst = zero
	case p.set:
		*dst = p.value
	}
}

// Interface guards
var _ json.Unmarshaler = (*patchValue[int64])(nil)
