package core

import (
	"math"
	"math/bits"
)

// mulDiv returns a*b/c rounded down, for a, b >= 0 and c > 0, saturating at
// MaxInt64 instead of overflowing.
func mulDiv(a, b, c int64) int64 {
	if a <= 0 || b <= 0 || c <= 0 {
		return 0
	}
	if a < 1<<31 && b < 1<<31 {
		return a * b / c
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi == 0 { // a 64-bit division: far cheaper than 128-bit, above all in WebAssembly
		return int64(min(lo/uint64(c), math.MaxInt64))
	}
	if hi >= uint64(c) {
		return math.MaxInt64
	}
	q, _ := bits.Div64(hi, lo, uint64(c))
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}

// mulDivUp is [mulDiv] rounded up.
func mulDivUp(a, b, c int64) int64 {
	if a <= 0 || b <= 0 || c <= 0 {
		return 0
	}
	if a < 1<<31 && b < 1<<31 {
		return (a*b + c - 1) / c
	}
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi == 0 {
		q := lo / uint64(c)
		if q*uint64(c) != lo {
			q++
		}
		return int64(min(q, math.MaxInt64))
	}
	if hi >= uint64(c) {
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, uint64(c))
	if r != 0 {
		q++
	}
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}

// addSat returns a+b for a, b >= 0, saturating at MaxInt64.
func addSat(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return math.MaxInt64
}
