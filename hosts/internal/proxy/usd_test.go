package proxy

import (
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

func TestUSD(t *testing.T) {
	for n, want := range map[abi.NanoUSD]string{
		0: "0.000000000", 1: "0.000000001", 123_456_789: "0.123456789", abi.Dollars: "1.000000000",
		12*abi.Dollars + 5_000_000: "12.005000000", -(2*abi.Dollars + 1): "-2.000000001",
	} {
		if got := usd(n); got != want {
			t.Errorf("usd(%d) = %q, want %q", n, got, want)
		}
	}
}
