package coretest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/vmihailenco/msgpack/v5"
)

// The operations a [Call] names: the surface every core build exports.
const (
	OpApply    = "apply"    // in: abi.Event, out: abi.Effects
	OpRoute    = "route"    // in: abi.RouteRequest, out: abi.Decision
	OpSnapshot = "snapshot" // in: nothing, out: abi.Snapshot
	OpRestore  = "restore"  // in: abi.Snapshot, out: nothing
	OpVersion  = "version"  // in: nothing, out: abi.VersionInfo
)

// Call is one call to a core, with its encoded input.
type Call struct {
	Op string `msgpack:"op"`
	In []byte `msgpack:"in,omitempty"`
}

// Result is what a call returned: the encoded output, or the code and
// message of an ABI error (malformed input, wrong version …).
type Result struct {
	Out     []byte
	Code    abi.Code
	Message string
}

// resultFile is a Result in a vector file, the code by name, so that a host
// in any language reads it without the enum's table.
type resultFile struct {
	Out     []byte `msgpack:"out,omitempty"`
	Code    string `msgpack:"code,omitempty"`
	Message string `msgpack:"message,omitempty"`
}

// Vector is a named list of calls made on one fresh core, in order, and
// the results recorded from the native core.
type Vector struct {
	Name    string
	Calls   []Call
	Results []Result
}

// LoadVectors reads every vector in dir, sorted by name.
func LoadVectors(dir string) ([]Vector, error) {
	ins, err := filepath.Glob(filepath.Join(dir, "*.in.msgpack"))
	if err != nil {
		return nil, err
	}
	slices.Sort(ins)
	var out []Vector
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in.msgpack")
		v := Vector{Name: name}
		if err := readMsgpack(in, &v.Calls); err != nil {
			return nil, err
		}
		var results []resultFile
		if err := readMsgpack(filepath.Join(dir, name+".out.msgpack"), &results); err != nil {
			return nil, err
		}
		for _, r := range results {
			code := abi.OK
			if r.Code != "" {
				if code, err = abi.ParseCode(r.Code); err != nil {
					return nil, fmt.Errorf("vector %s: %w", name, err)
				}
			}
			v.Results = append(v.Results, Result{Out: r.Out, Code: code, Message: r.Message})
		}
		if len(v.Results) != len(v.Calls) {
			return nil, fmt.Errorf("vector %s: %d calls but %d results", name, len(v.Calls), len(v.Results))
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no vectors in %s", dir)
	}
	return out, nil
}

func readMsgpack(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := msgpack.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// WriteVector writes a vector's three files into dir.
func WriteVector(dir string, v Vector) error {
	in, err := msgpack.Marshal(v.Calls)
	if err != nil {
		return err
	}
	results := make([]resultFile, len(v.Results))
	for i, r := range v.Results {
		results[i] = resultFile{Out: r.Out, Message: r.Message}
		if r.Code != abi.OK {
			results[i].Code = r.Code.String()
		}
	}
	out, err := msgpack.Marshal(results)
	if err != nil {
		return err
	}
	twin, err := jsonTwin(v)
	if err != nil {
		return err
	}
	for name, b := range map[string][]byte{".in.msgpack": in, ".out.msgpack": out, ".json": twin} {
		if err := os.WriteFile(filepath.Join(dir, v.Name+name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// jsonTwin renders a vector for humans: each call's input and result
// decoded into their ABI types.
func jsonTwin(v Vector) ([]byte, error) {
	type step struct {
		Op      string   `json:"op"`
		In      any      `json:"in,omitempty"`
		Out     any      `json:"out,omitempty"`
		Code    abi.Code `json:"code,omitempty"`
		Message string   `json:"message,omitempty"`
	}
	steps := make([]step, len(v.Calls))
	for i, c := range v.Calls {
		r := v.Results[i]
		steps[i] = step{Op: c.Op, In: readable(c.Op, true, c.In), Code: r.Code, Message: r.Message}
		if r.Code == abi.OK {
			steps[i].Out = readable(c.Op, false, r.Out)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	err := enc.Encode(map[string]any{"name": v.Name, "calls": steps})
	return buf.Bytes(), err
}

// readable decodes a message for the JSON twin; bytes that do not decode
// (deliberately malformed inputs) are shown as they are.
func readable(op string, input bool, b []byte) any {
	if len(b) == 0 {
		return nil
	}
	var v any
	switch {
	case op == OpApply && input:
		v = new(abi.Event)
	case op == OpApply:
		v = new(abi.Effects)
	case op == OpRoute && input:
		v = new(abi.RouteRequest)
	case op == OpRoute:
		v = new(abi.Decision)
	case op == OpSnapshot || op == OpRestore:
		v = new(abi.Snapshot)
	case op == OpVersion:
		v = new(abi.VersionInfo)
	default:
		return b
	}
	if err := msgpack.Unmarshal(b, v); err != nil {
		return map[string]any{"undecodable": b}
	}
	return v
}
