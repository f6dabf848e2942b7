//go:build wasip1 && !akrcrash

package main

// applyMsg is what raw_apply runs: the machine's ApplyMsg (see crash.go
// for the test-only build's).
func applyMsg(dst, in []byte) ([]byte, error) { return machine.ApplyMsg(dst, in) }
