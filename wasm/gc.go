//go:build wasip1

package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The module collects its garbage itself, whole, between calls.
//
// Go's collector marks concurrently, on background workers the scheduler
// runs beside the program. A reactor module has no time beside its calls:
// each export runs to its end and the host waits for it. A cycle the
// runtime starts on its own therefore only advances through the assists
// of later allocations, and the hot calls allocate nothing, so its mark
// phase lasts thousands of calls with the write barrier on: measured at
// 1,000 keys, route and apply took 445 µs instead of 135 for the 5,000
// calls after each snapshot. So the automatic collector is off, and after
// a call that may have left garbage the module runs one whole collection,
// the pacing GOGC=100 would give: when what was allocated since the last
// one reaches the heap that one left live (at least 4 MiB, Go's minimum).
// A whole collection at 1,000 keys takes ~2.5 ms; the memory limit stays
// as the runtime's own backstop.

// collectEvery is how many calls pass between two looks at the heap:
// reading the allocation count costs ~1.5 µs inside the module.
const collectEvery = 64

// minCollectGoal is the least allocation between collections, the
// minimum heap Go's pacer keeps.
const minCollectGoal = 4 << 20

// memoryLimit is the backstop: past it, the runtime collects on its own.
const memoryLimit = 1 << 30

var collector = struct {
	calls   int
	goal    uint64 // the allocation count at which to collect next
	samples [2]metrics.Sample
}{
	goal: minCollectGoal,
	samples: [2]metrics.Sample{
		{Name: "/gc/heap/allocs:bytes"},
		{Name: "/gc/heap/live:bytes"},
	},
}

func init() {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(memoryLimit)
}

// collected runs collectGarbage after a call and returns the call's
// result: called, not deferred, since a deferred call costs each export
// a frame record and a runtime call on its way out.
func collected[R int32 | uint32](result R, heavy bool) R {
	collectGarbage(heavy)
	return result
}

// collectGarbage runs after every call; it collects when the allocation
// since the last collection has reached its goal, looking every
// collectEvery calls or at once when the call was one that leaves much
// garbage behind (snapshot, restore).
func collectGarbage(heavy bool) {
	collector.calls++
	if !heavy && collector.calls < collectEvery {
		return
	}
	collector.calls = 0
	s := collector.samples[:]
	metrics.Read(s[:1])
	if s[0].Value.Uint64() < collector.goal {
		return
	}
	runtime.GC()
	metrics.Read(s)
	collector.goal = s[0].Value.Uint64() + max(s[1].Value.Uint64(), minCollectGoal)
}
