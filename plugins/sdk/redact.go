package sdk

import "strings"

// Redacted replaces a secret in text that leaves an adapter (see [Redact]).
const Redacted = "[REDACTED]"

// Redact returns s with every occurrence of secret replaced by [Redacted].
// Adapters pass error messages through it before they leave the adapter, as
// a last line of defence: a secret must not reach a log. An empty secret
// leaves s unchanged.
func Redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, Redacted)
}
