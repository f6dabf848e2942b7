// Package coretest replays recorded calls against any implementation of
// the core — native, WebAssembly under wazero, an Extism host — and checks
// that each gives the very bytes the native core gave when the recording
// was made.
//
// # Usage
//
// A vector is a named list of calls ([Call]) with their recorded results
// ([Result]), stored as testdata/vectors/<name>.in.msgpack and
// <name>.out.msgpack with a readable <name>.json twin:
//
//	vectors, err := coretest.LoadVectors("../../testdata/vectors")
//	coretest.Run(t, vectors, func() coretest.Core { return myWasmCore() })
package coretest
