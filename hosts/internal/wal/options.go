package wal

import (
	"fmt"
	"time"
)

// Defaults for the zero values of [Options].
const (
	DefaultSegmentSize   = 64 << 20
	DefaultMaxRecordSize = 16 << 20

	// maxRecordLimit is the largest MaxRecordSize accepted, so that a
	// record's length always fits the format's uint32 with room to spare.
	maxRecordLimit = 1 << 30
)

// SyncPolicy says when appended records are fsync'd. Every policy writes
// each record with one write(2) before [Log.Append] returns, so an appended
// record survives the process being killed (the data is in the kernel's
// page cache); the policies differ in what survives a power loss or an
// operating system crash.
type SyncPolicy uint8

const (
	// SyncNone never calls fsync. A record survives a crash of the process
	// as soon as Append returns, but a power loss may lose any record the
	// kernel had not yet written back (typically up to 30 s of them), and
	// may leave the log unreadable past the lost part. [Log.WaitDurable]
	// returns at once. The default.
	SyncNone SyncPolicy = iota

	// SyncAlways fsyncs the segment before Append returns: a record
	// survives a power loss as soon as Append returns. Every Append pays
	// one fsync (hundreds of microseconds to milliseconds), and callers
	// that append under one lock wait for each other's.
	SyncAlways

	// SyncBatch fsyncs from a background goroutine, group commit: Append
	// returns after the write, with SyncNone's guarantee, and
	// [Log.WaitDurable](seq) blocks until an fsync that started after seq
	// was appended has completed. Concurrent waiters share one fsync. The
	// goroutine starts an fsync whenever records are unsynced, at most once
	// per [Options.SyncInterval], so a power loss loses at most the records
	// appended in the last SyncInterval plus one fsync's duration, and
	// none that WaitDurable reported durable.
	SyncBatch
)

var syncPolicyNames = [...]string{SyncNone: "none", SyncAlways: "always", SyncBatch: "batch"}

// String returns "none", "always" or "batch".
func (p SyncPolicy) String() string {
	if int(p) < len(syncPolicyNames) {
		return syncPolicyNames[p]
	}
	return fmt.Sprintf("SyncPolicy(%d)", uint8(p))
}

// Options configures [Open]. The zero value is valid: SyncNone, 64 MiB
// segments and records of up to 16 MiB.
type Options struct {
	// Sync is when records are fsync'd; see [SyncPolicy]. Zero is SyncNone.
	Sync SyncPolicy

	// SyncInterval is the minimum time between the starts of two fsyncs
	// under SyncBatch; other policies ignore it. Zero means no minimum: an
	// fsync starts as soon as the previous one ended and records are
	// unsynced, which gives the lowest latency, and under load as few
	// fsyncs as group commit allows. A positive value caps the fsync rate
	// at 1/SyncInterval, at the cost of up to SyncInterval more latency in
	// [Log.WaitDurable]. Negative is invalid.
	SyncInterval time.Duration

	// SegmentSize is the size in bytes past which [Log.Append] starts a
	// new segment file before writing a record. A segment holds at least
	// one record, so one may exceed it by a record. Zero means
	// DefaultSegmentSize (64 MiB).
	SegmentSize int64

	// MaxRecordSize is the largest record data in bytes [Log.Append]
	// accepts; longer data fails with [ErrTooLarge]. Zero means
	// DefaultMaxRecordSize (16 MiB); at most 1 GiB. Reading is not bounded
	// by it, so lowering it never makes an existing log unreadable.
	MaxRecordSize int
}

// withDefaults fills in the zero values and validates opts.
func (opts Options) withDefaults() (Options, error) {
	if opts.Sync > SyncBatch {
		return opts, fmt.Errorf("unknown sync policy %v", opts.Sync)
	}
	if opts.SyncInterval < 0 {
		return opts, fmt.Errorf("negative sync interval %v", opts.SyncInterval)
	}
	if opts.SegmentSize < 0 {
		return opts, fmt.Errorf("negative segment size %d", opts.SegmentSize)
	}
	if opts.SegmentSize == 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	if opts.MaxRecordSize < 0 || opts.MaxRecordSize > maxRecordLimit {
		return opts, fmt.Errorf("max record size %d outside 0…%d", opts.MaxRecordSize, maxRecordLimit)
	}
	if opts.MaxRecordSize == 0 {
		opts.MaxRecordSize = DefaultMaxRecordSize
	}
	return opts, nil
}
