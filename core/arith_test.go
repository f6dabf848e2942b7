package core

import (
	"math"
	"math/big"
	"testing"
	"testing/quick"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// TestMulDivMatchesBigInt checks the 128-bit arithmetic against math/big,
// including the saturation at MaxInt64.
func TestMulDivMatchesBigInt(t *testing.T) {
	want := func(a, b, c int64, up bool) int64 {
		if a <= 0 || b <= 0 || c <= 0 {
			return 0
		}
		p := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
		q, r := new(big.Int).QuoRem(p, big.NewInt(c), new(big.Int))
		if up && r.Sign() != 0 {
			q.Add(q, big.NewInt(1))
		}
		if !q.IsInt64() {
			return math.MaxInt64
		}
		return q.Int64()
	}
	same := func(a, b, c int64) bool {
		return mulDiv(a, b, c) == want(a, b, c, false) && mulDivUp(a, b, c) == want(a, b, c, true)
	}
	// Shift the random inputs right by a random amount, to cover every
	// magnitude (the fast path below 2^31 and the 128-bit one above).
	scaled := func(a, b, c int64) bool { return same(a>>uint(a&63), b>>uint(b&63), c>>uint(c&63)) }
	if err := quick.Check(scaled, &quick.Config{MaxCount: 20000}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range [][3]int64{
		{math.MaxInt64, math.MaxInt64, 1}, {math.MaxInt64, 2, 2}, {1<<31 - 1, 1<<31 - 1, 3},
		{1 << 31, 1 << 31, 3}, {7, 3, 2}, {0, 5, 1}, {5, 5, 0},
	} {
		if !same(tc[0], tc[1], tc[2]) {
			t.Errorf("mulDiv%v = %d, mulDivUp = %d", tc, mulDiv(tc[0], tc[1], tc[2]), mulDivUp(tc[0], tc[1], tc[2]))
		}
	}
}

// TestShareMatchesMulDivUp checks the window's constant-divisor share
// against the general arithmetic at every magnitude of count and instant.
func TestShareMatchesMulDivUp(t *testing.T) {
	check := func(prev, now int64) bool {
		prev, now = prev>>uint(prev&63), now>>uint(now&63)
		if now <= 0 {
			return true
		}
		for _, slot := range []int64{minuteSlot, daySlot} {
			p := at(abi.UnixNano(now), slot)
			if got, want := p.share(prev), mulDivUp(prev, p.left(), p.slot); got != want {
				t.Logf("share(%d) at %d, slot %d = %d, want %d", prev, now, slot, got, want)
				return false
			}
		}
		return true
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 20000}); err != nil {
		t.Fatal(err)
	}
}
