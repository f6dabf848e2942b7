package main

import "testing"

func TestMicroParse(t *testing.T) {
	out := []byte(`goos: linux
pkg: github.com/apikeyrouter/apikeyrouter/hosts/internal/wasmcore
BenchmarkRoute/keys=10/budgets=0/core=native-2   	  100	      1500 ns/op	      1000 route-ns/op	     208 B/op	       5 allocs/op
BenchmarkRoute/keys=10/budgets=0/core=native-2   	  100	      1700 ns/op	      1100 route-ns/op	     208 B/op	       5 allocs/op
BenchmarkRoute/keys=10/budgets=0/core=native-2   	  100	      1600 ns/op	      1200 route-ns/op	     208 B/op	       5 allocs/op
BenchmarkSnapshot/keys=10/budgets=0/core=wazero-2	   10	    114861 ns/op	      3451 bytes	   15231 B/op	       2 allocs/op
BenchmarkSnapshot/keys=10/budgets=0/core=wazero-2	   10	    114863 ns/op	      3451 bytes	   15231 B/op	       2 allocs/op
PASS
`)
	r := &microReport{samples: map[string]map[string][]float64{}}
	r.parse("p", out)
	for _, tc := range []struct {
		name, unit string
		want       float64
	}{
		{"BenchmarkRoute/keys=10/budgets=0/core=native", "ns/op", 1600},
		{"BenchmarkRoute/keys=10/budgets=0/core=native", "route-ns/op", 1100},
		{"BenchmarkSnapshot/keys=10/budgets=0/core=wazero", "ns/op", 114862},
		{"BenchmarkSnapshot/keys=10/budgets=0/core=wazero", "bytes", 3451},
	} {
		if got, ok := r.median("p", tc.name, tc.unit); !ok || got != tc.want {
			t.Errorf("median %s %s = %v, %v; want %v", tc.name, tc.unit, got, ok, tc.want)
		}
	}
	if _, ok := r.median("p", "BenchmarkRoute/keys=10/budgets=0/core=native", "MB/s"); ok {
		t.Error("a unit never reported has a median")
	}
}
