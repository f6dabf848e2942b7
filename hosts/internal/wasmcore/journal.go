package wasmcore

import "iter"

// journal records the inputs of the mutating calls made since the last
// snapshot, in one growing buffer, so that recording allocates nothing in
// the steady state.
type journal struct {
	ops  []op
	ends []int // ends[i] is where input i ends in buf
	buf  []byte
}

func (j *journal) add(o op, in []byte) {
	j.ops = append(j.ops, o)
	j.buf = append(j.buf, in...)
	j.ends = append(j.ends, len(j.buf))
}

func (j *journal) len() int { return len(j.ops) }

// all yields the recorded calls in order.
func (j *journal) all() iter.Seq2[op, []byte] {
	return func(yield func(op, []byte) bool) {
		start := 0
		for i, o := range j.ops {
			if !yield(o, j.buf[start:j.ends[i]]) {
				return
			}
			start = j.ends[i]
		}
	}
}

func (j *journal) reset() {
	j.ops, j.ends, j.buf = j.ops[:0], j.ends[:0], j.buf[:0]
}
