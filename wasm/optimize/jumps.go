// Package optimize rewrites the WebAssembly module stock Go builds into an
// equivalent one that runs faster.
//
// Go's WebAssembly backend lays a function that can be suspended (any
// function that calls another) out as one loop over its basic blocks: a
// `br_table` at the loop's head, indexed by the local PC_B, picks the block
// to run, and every jump between blocks is
//
//	i32.const target; local.set PC_B; br loop
//
// — an indirect jump through the table, even when the target lies straight
// ahead, and every call starts with one (PC_B 0, the first block; another
// value resumes a suspended call). [ThreadJumps] turns each forward jump
// into a direct `br` to the end of the block the table would have picked,
// and puts a conditional branch for PC_B 0 before the table: the same code
// runs, without the round trips through the table. Backward jumps (loops)
// keep it: no label reaches them.
package optimize

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// Stats counts what [ThreadJumps] rewrote.
type Stats struct {
	Jumps   int // forward jumps made direct
	Entries int // functions given a direct entry
}

// ThreadJumps returns module with the forward jumps and the entries of
// every function threaded (see the package doc). The module must be one Go
// built; an instruction it does not know is an error. Threading a module
// twice changes nothing the second time.
func ThreadJumps(module []byte) ([]byte, Stats, error) {
	if len(module) < 8 || string(module[:4]) != "\x00asm" || binary.LittleEndian.Uint32(module[4:8]) != 1 {
		return nil, Stats{}, errors.New("optimize: not a WebAssembly module (version 1)")
	}
	out := append([]byte(nil), module[:8]...)
	var stats Stats
	r := reader{b: module, pos: 8}
	for r.pos < len(r.b) {
		id := r.byte()
		size := r.u32()
		if r.err != nil || uint64(len(r.b)-r.pos) < uint64(size) {
			return nil, Stats{}, errors.New("optimize: truncated section")
		}
		body := r.b[r.pos : r.pos+int(size)]
		r.pos += int(size)
		if id == codeSection {
			var err error
			if body, err = threadCode(body, &stats); err != nil {
				return nil, Stats{}, err
			}
		}
		out = append(out, id)
		out = binary.AppendUvarint(out, uint64(len(body)))
		out = append(out, body...)
	}
	if r.err != nil {
		return nil, Stats{}, r.err
	}
	return out, stats, nil
}

const codeSection = 10

// threadCode rewrites the code section's function bodies.
func threadCode(sec []byte, stats *Stats) ([]byte, error) {
	r := reader{b: sec}
	count := r.u32()
	out := binary.AppendUvarint(nil, uint64(count))
	for i := range count {
		size := r.u32()
		if r.err != nil || uint64(len(r.b)-r.pos) < uint64(size) {
			return nil, fmt.Errorf("optimize: function %d: truncated body", i)
		}
		body, err := threadFunc(r.b[r.pos:r.pos+int(size)], stats)
		if err != nil {
			return nil, fmt.Errorf("optimize: function %d: %w", i, err)
		}
		r.pos += int(size)
		out = binary.AppendUvarint(out, uint64(len(body)))
		out = append(out, body...)
	}
	if r.err != nil || r.pos != len(r.b) {
		return nil, errors.New("optimize: malformed code section")
	}
	return out, nil
}

// Opcodes the pass looks at.
const (
	opBlock    = 0x02
	opLoop     = 0x03
	opIf       = 0x04
	opElse     = 0x05
	opEnd      = 0x0B
	opBr       = 0x0C
	opBrIf     = 0x0D
	opBrTable  = 0x0E
	opLocalGet = 0x20
	opLocalSet = 0x21
	opI32Const = 0x41
	opI32Eqz   = 0x45
)

// instr is an instruction already copied to the output: where it starts
// there, and what the pattern needs of it.
type instr struct {
	op    byte
	at    int   // offset in the output
	value int64 // i32.const's value, local.get's or local.set's index
}

// threadFunc rewrites one function body: its locals, then its code.
func threadFunc(body []byte, stats *Stats) ([]byte, error) {
	r := reader{b: body}
	for range r.u32() { // local declarations: count, type
		r.u32()
		r.byte()
	}
	if r.err != nil {
		return nil, r.err
	}
	out := append(make([]byte, 0, len(body)+8), body[:r.pos]...)
	var (
		stack  []int // the open constructs' ids, innermost last
		nextID int
		loopID = -1 // the dispatch loop
		// prologue holds from the loop to the table: Go puts nothing there
		// but blocks and the table's local.get (and a threaded module, the
		// entry's i32.eqz and br_if), which tells its table from a switch
		// in hand-written code
		prologue bool
		pcLocal  int64 // PC_B's index
		entries  []int // construct id per PC_B value; the last is the default
		prev     [2]instr
	)
	depthOf := func(id int) int { // relative depth of an open construct, or -1
		for j := len(stack) - 1; j >= 0; j-- {
			if stack[j] == id {
				return len(stack) - 1 - j
			}
		}
		return -1
	}
	stack = append(stack, nextID) // the function body
	nextID++
	for len(stack) > 0 {
		if r.pos >= len(r.b) {
			return nil, errors.New("code ends inside a block")
		}
		start := r.pos
		cur := instr{op: r.b[r.pos], at: len(out)}
		r.pos++
		switch cur.op {
		case opBlock, opLoop, opIf:
			r.blockType()
			if cur.op == opLoop && loopID < 0 {
				loopID, prologue = nextID, true
			}
			stack = append(stack, nextID)
			nextID++
		case opEnd:
			stack = stack[:len(stack)-1]
		case opBr:
			depth := r.u32()
			if r.err == nil && loopID >= 0 && entries != nil && int(depth) < len(stack) &&
				stack[len(stack)-1-int(depth)] == loopID &&
				prev[0].op == opI32Const && prev[1].op == opLocalSet && prev[1].value == pcLocal {
				target := entries[len(entries)-1]
				if pc := prev[0].value; pc >= 0 && pc < int64(len(entries)-1) {
					target = entries[pc]
				}
				if d := depthOf(target); d >= 0 { // ahead: its block is open
					out = out[:prev[0].at]
					out = append(out, opBr)
					out = binary.AppendUvarint(out, uint64(d))
					stats.Jumps++
					prev = [2]instr{}
					continue
				}
			}
		case opBrTable:
			n := r.u32()
			var depths []int
			for range n + 1 {
				depths = append(depths, int(r.u32()))
			}
			if r.err == nil && prologue && prev[1].op == opLocalGet {
				// the dispatch: every entry names a block between it and the loop
				pcLocal = prev[1].value
				for _, d := range depths {
					if d >= len(stack) {
						return nil, errors.New("br_table beyond the function")
					}
					entries = append(entries, stack[len(stack)-1-d])
				}
				if prev[0].op == opBlock { // as Go built it, not threaded yet
					// local.get PC_B (out ends with it); i32.eqz;
					// br_if <PC_B 0's block>; local.get PC_B; the table
					get := slices.Clone(out[prev[1].at:])
					out = append(out, opI32Eqz, opBrIf)
					out = binary.AppendUvarint(out, uint64(depths[0]))
					out = append(out, get...)
					cur.at = len(out)
					stats.Entries++
				}
			}
		case opLocalGet, opLocalSet:
			cur.value = int64(r.u32())
		case opI32Const:
			cur.value = r.s64()
		default:
			if err := r.skipImmediates(cur.op); err != nil {
				return nil, err
			}
		}
		if r.err != nil {
			return nil, r.err
		}
		switch cur.op {
		case opLoop, opBlock, opLocalGet, opI32Eqz, opBrIf:
		default:
			prologue = false
		}
		out = append(out, r.b[start:r.pos]...)
		prev[0], prev[1] = prev[1], cur
	}
	if r.pos != len(r.b) {
		return nil, errors.New("code continues after the function's end")
	}
	return out, nil
}
