package optimize

import (
	"errors"
	"fmt"
)

// reader decodes the binary format; the first error sticks, and reads
// after it return zero.
type reader struct {
	b   []byte
	pos int
	err error
}

var errTruncated = errors.New("optimize: truncated module")

func (r *reader) byte() byte {
	if r.err != nil || r.pos >= len(r.b) {
		r.fail(errTruncated)
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// u32 reads an unsigned LEB128 of at most 32 bits.
func (r *reader) u32() uint32 {
	var v uint64
	for shift := 0; shift < 35; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			if v > 1<<32-1 {
				r.fail(errors.New("optimize: LEB128 overflows 32 bits"))
			}
			return uint32(v)
		}
	}
	r.fail(errors.New("optimize: LEB128 too long"))
	return 0
}

// s64 reads a signed LEB128 of at most 64 bits.
func (r *reader) s64() int64 {
	var v int64
	for shift := 0; shift < 70; shift += 7 {
		c := r.byte()
		v |= int64(c&0x7f) << shift
		if c&0x80 == 0 {
			if shift+7 < 64 && c&0x40 != 0 {
				v |= -1 << (shift + 7)
			}
			return v
		}
	}
	r.fail(errors.New("optimize: LEB128 too long"))
	return 0
}

func (r *reader) skip(n int) {
	if r.err == nil && len(r.b)-r.pos < n {
		r.fail(errTruncated)
		return
	}
	r.pos += n
}

// blockType reads a block's type: empty, a value type or a type index.
func (r *reader) blockType() {
	if r.pos < len(r.b) && r.b[r.pos]&0xc0 == 0x40 { // 0x40 (empty) and the value types: one byte
		r.pos++
		return
	}
	r.s64()
}

// skipImmediates reads past the immediates of an instruction the pass does
// not look into (op has been read).
func (r *reader) skipImmediates(op byte) error {
	switch {
	case op == 0x00 || op == 0x01 || op == 0x05 || op == 0x0F || op == 0x1A || op == 0x1B:
		// unreachable, nop, else, return, drop, select
	case op == 0x0D || op == 0x10 || (op >= 0x22 && op <= 0x26) || op == 0xD2:
		r.u32() // br_if, call, local.tee, global.get/set, table.get/set, ref.func
	case op == 0x11:
		r.u32() // call_indirect: type, table
		r.u32()
	case op == 0x1C:
		for range r.u32() { // select with types
			r.byte()
		}
	case op >= 0x28 && op <= 0x3E:
		r.u32() // memarg: align, offset
		r.u32()
	case op == 0x3F || op == 0x40:
		r.byte() // memory.size, memory.grow: memory 0
	case op == 0x42:
		r.s64()
	case op == 0x43:
		r.skip(4)
	case op == 0x44:
		r.skip(8)
	case op >= 0x45 && op <= 0xC4, op == 0xD1:
		// numeric, sign extension, ref.is_null
	case op == 0xD0:
		r.byte() // ref.null: type
	case op == 0xFC:
		switch sub := r.u32(); {
		case sub <= 7: // saturating truncations
		case sub == 8, sub == 12, sub == 14: // memory.init, table.init, table.copy
			r.u32()
			r.u32()
		case sub == 10: // memory.copy: two memories
			r.byte()
			r.byte()
		case sub == 9, sub == 11, sub == 13, sub == 15, sub == 16, sub == 17:
			r.u32() // data.drop, memory.fill, elem.drop, table.grow/size/fill
		default:
			return fmt.Errorf("optimize: unknown instruction 0xFC %d", sub)
		}
	default:
		return fmt.Errorf("optimize: unknown instruction %#x", op)
	}
	return r.err
}
