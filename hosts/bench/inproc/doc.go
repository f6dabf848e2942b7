// Package inproc holds BenchmarkProxy, the request path of apikeyrouter's
// proxy (proxy.New over a router with the OpenAI adapter) in one process
// with its mock upstream and its clients, for CPU and allocation profiles:
//
//	go test ./hosts/bench/inproc -run '^$' -bench 'Proxy/target=wasm/keys=3/stream=false' \
//	  -benchtime 5s -cpuprofile cpu.out
//	go tool pprof -top -cum -focus 'proxy\.\(\*Server\)\.handleCall' cpu.out
//
// Its ns/op mixes the client's, the proxy's and the mock's work, as one
// process runs them all; compare targets here (target=barehop is the bare
// ReverseProxy hop) and take absolute figures from make bench, where
// each runs in its own process.
package inproc
