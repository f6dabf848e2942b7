package abi

// UnixNano is an instant as nanoseconds since the Unix epoch, UTC. Zero means
// "no time" (never, or not applicable).
type UnixNano int64

// Duration is a span of time in nanoseconds.
type Duration int64

// NanoUSD is an amount of money in billionths of a US dollar. One dollar is
// 1_000_000_000; the largest amount is about 9.2 billion dollars.
type NanoUSD int64

// MicroUSDPerMTok is a price in millionths of a US dollar per million tokens,
// i.e. the list price "$0.15 / 1M tokens" is 150_000.
type MicroUSDPerMTok int64

// Tokens counts tokens.
type Tokens int64

// PPM is a fraction in parts per million: 1_000_000 is one whole.
type PPM int64

// Typed identifiers. Identifiers are 1 to 128 bytes of ASCII letters, digits
// and ". _ : / @ + -" (see [ValidID]), so they are safe in HTTP headers,
// logs and file names.
type (
	ProviderID string
	KeyID      string
	BudgetID   string
	ClientID   string
)

// Common durations, for readability.
const (
	Millisecond Duration = 1_000_000
	Second               = 1000 * Millisecond
	Minute               = 60 * Second
	Hour                 = 60 * Minute
)

// Dollars is one US dollar in [NanoUSD].
const Dollars NanoUSD = 1_000_000_000

// MaxIDLen is the longest identifier accepted.
const MaxIDLen = 128

// ValidID reports whether s is a well-formed identifier.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > MaxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '_', c == ':', c == '/', c == '@', c == '+', c == '-':
		default:
			return false
		}
	}
	return true
}
