//go:build wasip1

package main

import (
	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/core"
)

// machine is the module instance's routing core: the instance owns the
// state, and restore replaces it.
var machine = newMachine()

// out is the output buffer the calls append to, reused between calls.
var out []byte

func newMachine() *core.Machine {
	m, err := core.New(abi.Config{})
	if err != nil {
		panic(err) // the zero config is valid
	}
	return m
}

// main is never called: a c-shared (reactor) module is initialised by
// _initialize and then only entered through its exports.
func main() {}
