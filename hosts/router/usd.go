package router

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// ParseUSD reads a dollar amount ("12.5", "0.000001") exactly into
// nano-USD: at most nine decimals, not negative.
func ParseUSD(s string) (abi.NanoUSD, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "$")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 9 || strings.ContainsAny(whole+frac, "+-eE ") {
		return 0, fmt.Errorf("%q is not a dollar amount with at most nine decimals", s)
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil || w > 9_000_000_000 {
		return 0, fmt.Errorf("%q is not a dollar amount under 9 billion", s)
	}
	var f uint64
	if frac != "" {
		if f, err = strconv.ParseUint((frac + "000000000")[:9], 10, 64); err != nil {
			return 0, fmt.Errorf("%q is not a dollar amount", s)
		}
	}
	return abi.NanoUSD(w)*abi.Dollars + abi.NanoUSD(f), nil
}

// FormatUSD writes nano-USD as dollars with nine decimals.
func FormatUSD(n abi.NanoUSD) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%09d", sign, n/abi.Dollars, n%abi.Dollars)
}
