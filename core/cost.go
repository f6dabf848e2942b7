package core

import "github.com/apikeyrouter/apikeyrouter/abi"

// cost returns the price of usage at a model's list price less a key's
// discount, in nano-USD, rounded up so that estimates never undercount.
//
// Prices are micro-USD per million tokens, so tokens × price is pico-USD.
func cost(p abi.Price, discount int64, in, cached, out abi.Tokens) abi.NanoUSD {
	cachedPrice := p.CachedInput
	if cachedPrice == 0 {
		cachedPrice = p.Input
	}
	if cached > in {
		cached = in
	}
	var nano int64
	const small = 1 << 30 // products of two smalls cannot overflow, nor their sum
	if in < small && out < small && p.Input < small && p.Output < small && cachedPrice < small {
		pico := int64(in-cached)*int64(p.Input) + int64(cached)*int64(cachedPrice) + int64(out)*int64(p.Output)
		nano = (pico + 999) / 1000
	} else {
		pico := addSat(addSat(
			mulDiv(int64(in-cached), int64(p.Input), 1),
			mulDiv(int64(cached), int64(cachedPrice), 1)),
			mulDiv(int64(out), int64(p.Output), 1))
		nano = mulDivUp(pico, 1, 1000)
	}
	if discount > 0 {
		nano = mulDivUp(nano, 10000-discount, 10000)
	}
	return abi.NanoUSD(nano)
}
