package wal

import "errors"

// Sentinel errors. Callers branch on them with [errors.Is]; the errors the
// log returns wrap them with the operation and, where useful, the cause.
var (
	// ErrOutOfOrder is returned by [Log.Append] when seq is not exactly
	// [Log.Last]+1, and by [Log.WaitDurable] for a record that was never
	// appended. Nothing is written.
	ErrOutOfOrder = errors.New("wal: sequence number out of order")

	// ErrTooLarge is returned by [Log.Append] for a record longer than
	// [Options.MaxRecordSize]. Nothing is written and the log stays usable.
	ErrTooLarge = errors.New("wal: record too large")

	// ErrBroken is returned by [Log.Append] once a write or an fsync has
	// failed: appending after a record that may be missing would leave a
	// gap in the log. It wraps the first failure. [Log.WaitDurable] returns
	// it too, for records a failed fsync did not make durable. [Log.Rotate] with a
	// snapshot that covers every record ([Log.Last]) repairs the log; so
	// does reopening it.
	ErrBroken = errors.New("wal: log broken by an earlier failed write")

	// ErrCorrupt is returned by [Open] when a segment holds a record that
	// fails its checksum or is out of sequence and is not the torn tail of
	// the last segment (a valid record follows it, or it is in an older
	// segment), or when a segment's header is invalid (in the last
	// segment, a header cut short or zeros is a torn tail unless a valid
	// record follows it); and by [Log.Replay] when a record no longer
	// reads back as it did. The log is never repaired by skipping such a
	// record.
	ErrCorrupt = errors.New("wal: corrupt log")

	// ErrCompacted is returned by [Log.Replay] when records after the
	// requested sequence number are no longer in the log: [Log.Rotate]
	// deleted them, so the caller's snapshot is older than the one it
	// rotated with.
	ErrCompacted = errors.New("wal: requested records are no longer in the log")

	// ErrLocked is returned by [Open] when another [Log], in this process
	// or another, has the directory open.
	ErrLocked = errors.New("wal: directory is locked by another log")

	// ErrClosed is returned by methods called after [Log.Close], and by
	// [Log.WaitDurable] for a record that Close could not make durable.
	ErrClosed = errors.New("wal: closed")
)
