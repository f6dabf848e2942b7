// Package hist is a log-linear histogram of durations, exact to within
// 0.4%, that merges and travels as JSON: the load generator records every
// request in one, the orchestrator merges the rounds and reads quantiles.
package hist

import (
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"time"
)

// precision is the number of significant bits kept of a value: each power
// of two is split into 2^(precision-1) buckets, so a bucket's width is at
// most 1/128 of its lower bound.
const precision = 8

const half = 1 << (precision - 1)

// Histogram counts durations (nanoseconds, negative ones as zero). The zero
// value is empty and ready to use; it is not safe for concurrent use.
type Histogram struct {
	counts []uint64
	n      uint64
	sum    int64
	max    int64
}

// index returns the bucket of v ≥ 0.
func index(v int64) int {
	shift := max(bits.Len64(uint64(v))-precision, 0)
	return shift*half + int(v>>shift)
}

// bounds returns the smallest and largest value in bucket i.
func bounds(i int) (lo, hi int64) {
	shift := max(i/half-1, 0)
	m := int64(i - shift*half)
	return m << shift, (m+1)<<shift - 1
}

// Record counts one duration.
func (h *Histogram) Record(d time.Duration) {
	v := max(int64(d), 0)
	i := index(v)
	if i >= len(h.counts) {
		h.counts = append(h.counts, make([]uint64, i+1-len(h.counts))...)
	}
	h.counts[i]++
	h.n++
	h.sum += v
	h.max = max(h.max, v)
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	if len(o.counts) > len(h.counts) {
		h.counts = append(h.counts, make([]uint64, len(o.counts)-len(h.counts))...)
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// Count returns the number of durations recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Mean returns the exact mean; zero when empty.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / int64(h.n))
}

// Max returns the exact largest duration recorded.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Quantile returns the q-quantile (0 ≤ q ≤ 1): the middle of the bucket
// holding the ⌈q·n⌉-th smallest duration, never above Max; zero when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := min(max(uint64(math.Ceil(q*float64(h.n))), 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		if seen += c; seen >= rank {
			lo, hi := bounds(i)
			return time.Duration(min(lo+(hi-lo)/2, h.max))
		}
	}
	return time.Duration(h.max)
}

// wire is a histogram as JSON: the non-empty buckets as [index, count]
// pairs.
type wire struct {
	Buckets [][2]uint64 `json:"buckets"`
	Sum     int64       `json:"sum_ns"`
	Max     int64       `json:"max_ns"`
}

// MarshalJSON implements json.Marshaler.
func (h *Histogram) MarshalJSON() ([]byte, error) {
	w := wire{Buckets: [][2]uint64{}, Sum: h.sum, Max: h.max}
	for i, c := range h.counts {
		if c != 0 {
			w.Buckets = append(w.Buckets, [2]uint64{uint64(i), c})
		}
	}
	return json.Marshal(w)
}

// maxIndex bounds the bucket index read from JSON: the bucket of the
// largest int64.
var maxIndex = uint64(index(1<<63 - 1))

// UnmarshalJSON implements json.Unmarshaler.
func (h *Histogram) UnmarshalJSON(b []byte) error {
	var w wire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*h = Histogram{sum: w.Sum, max: w.Max}
	for _, bc := range w.Buckets {
		if bc[0] > maxIndex {
			return fmt.Errorf("hist: bucket %d out of range", bc[0])
		}
		i := int(bc[0])
		if i >= len(h.counts) {
			h.counts = append(h.counts, make([]uint64, i+1-len(h.counts))...)
		}
		h.counts[i] += bc[1]
		h.n += bc[1]
	}
	return nil
}

// Interface guards
var (
	_ json.Marshaler   = (*Histogram)(nil)
	_ json.Unmarshaler = (*Histogram)(nil)
)
