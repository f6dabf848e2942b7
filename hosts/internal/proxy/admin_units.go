package proxy

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// The admin API's JSON forms of the core's integer units: exact decimals,
// never floats computed on the way.

// stamp is an instant, written as RFC 3339 in UTC with milliseconds. Fields
// of this type are tagged omitempty: zero means "no time".
type stamp abi.UnixNano

// MarshalText implements encoding.TextMarshaler.
func (t stamp) MarshalText() ([]byte, error) {
	return time.Unix(0, int64(t)).UTC().AppendFormat(nil, "2006-01-02T15:04:05.000Z07:00"), nil
}

// usdAmount is an amount of money, written as a decimal string of dollars
// ("12.5", "0.000123").
type usdAmount abi.NanoUSD

// MarshalText implements encoding.TextMarshaler.
func (n usdAmount) MarshalText() ([]byte, error) { return []byte(formatDecimal(int64(n), 9)), nil }

// usdPerMTok is a price, written as a decimal string of dollars per million
// tokens ("0.15").
type usdPerMTok abi.MicroUSDPerMTok

// MarshalText implements encoding.TextMarshaler.
func (p usdPerMTok) MarshalText() ([]byte, error) { return []byte(formatDecimal(int64(p), 6)), nil }

// percent is a fraction in parts per million, written as a JSON number of
// percent (99.5).
type percent abi.PPM

// MarshalJSON implements json.Marshaler.
func (p percent) MarshalJSON() ([]byte, error) { return []byte(formatDecimal(int64(p), 4)), nil }

// formatDecimal writes n / 10^scale exactly, without trailing zeros: 1_500_000_000
// at scale 9 is "1.5".
func formatDecimal(n int64, scale int) string {
	u := uint64(n)
	if n < 0 {
		u = -u
	}
	digits := strconv.FormatUint(u, 10)
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	cut := len(digits) - scale
	s := digits[:cut]
	if frac := strings.TrimRight(digits[cut:], "0"); frac != "" {
		s += "." + frac
	}
	if n < 0 {
		s = "-" + s
	}
	return s
}

// parseUSD reads an amount of dollars exactly: a JSON number or a string
// holding a plain decimal ("12.50"), with at most nine decimals (one
// nano-dollar), not negative. Exponents are refused rather than rounded.
func parseUSD(raw json.RawMessage) (abi.NanoUSD, error) {
	s := string(raw)
	if s == "" || s == "null" {
		return 0, errors.New("is required: a decimal amount of dollars such as \"12.50\"")
	}
	if s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, errors.New("must be a decimal amount of dollars such as \"12.50\"")
		}
	}
	if strings.HasPrefix(s, "-") {
		return 0, errors.New("must not be negative")
	}
	whole, frac, dot := strings.Cut(s, ".")
	if !allDigits(whole) || dot && !allDigits(frac) {
		return 0, errors.New("must be a plain decimal amount of dollars such as \"12.50\" (no sign, exponent or spaces)")
	}
	if len(frac) > 9 {
		return 0, errors.New("has more than 9 decimals: amounts are exact to the nano-dollar")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	if err != nil || w > (math.MaxInt64-f)/int64(abi.Dollars) {
		return 0, errors.New("is too large")
	}
	return abi.NanoUSD(w*int64(abi.Dollars) + f), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
