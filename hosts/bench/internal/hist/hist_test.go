package hist

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	prev := -1
	for v := int64(0); v < 1<<20; v++ {
		i := index(v)
		if i != prev && i != prev+1 {
			t.Fatalf("index(%d) = %d after %d: not contiguous", v, i, prev)
		}
		prev = i
		lo, hi := bounds(i)
		if v < lo || v > hi {
			t.Fatalf("%d outside its bucket %d [%d, %d]", v, i, lo, hi)
		}
		if w := hi - lo + 1; w > 1 && float64(w)/float64(lo) > 1.0/half {
			t.Fatalf("bucket %d [%d, %d] wider than 1/%d of its bound", i, lo, hi, half)
		}
	}
	if _, hi := bounds(int(maxIndex)); hi != 1<<63-1 {
		t.Fatalf("last bucket ends at %d", hi)
	}
}

func TestQuantile(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	vals := make([]time.Duration, 10_000)
	for i := range vals {
		vals[i] = time.Duration(rng.ExpFloat64() * float64(200*time.Microsecond))
		h.Record(vals[i])
	}
	slices.Sort(vals)
	for _, q := range []float64{0, 0.5, 0.9, 0.99, 0.999, 1} {
		exact := vals[max(int(float64(len(vals))*q+0.999999)-1, 0)]
		got := h.Quantile(q)
		if diff := float64(got-exact) / float64(exact); diff > 1.0/half || diff < -1.0/half {
			t.Errorf("q%.3f = %v, exact %v", q, got, exact)
		}
	}
	if h.Max() != vals[len(vals)-1] || h.Count() != uint64(len(vals)) {
		t.Errorf("max %v count %d", h.Max(), h.Count())
	}
	var empty Histogram
	if empty.Quantile(0.5) != 0 || empty.Mean() != 0 {
		t.Error("empty histogram not zero")
	}
}

func TestMergeJSON(t *testing.T) {
	var a, b, both Histogram
	for i := range 1000 {
		d := time.Duration(i*i) * time.Nanosecond
		both.Record(d)
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	blob, err := json.Marshal(&b)
	if err != nil {
		t.Fatal(err)
	}
	var back Histogram
	if err := json.Unmarshal(blob, &back); err != nil {
		t.Fatal(err)
	}
	a.Merge(&back)
	for _, q := range []float64{0.1, 0.5, 0.99} {
		if a.Quantile(q) != both.Quantile(q) {
			t.Errorf("q%v: merged %v, recorded together %v", q, a.Quantile(q), both.Quantile(q))
		}
	}
	if a.Count() != both.Count() || a.Mean() != both.Mean() || a.Max() != both.Max() {
		t.Errorf("merged %d/%v/%v, together %d/%v/%v", a.Count(), a.Mean(), a.Max(), both.Count(), both.Mean(), both.Max())
	}
	if err := json.Unmarshal([]byte(`{"buckets":[[99999,1]]}`), &back); err == nil {
		t.Error("a bucket out of range was accepted")
	}
}
