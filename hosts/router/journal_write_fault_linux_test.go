//go:build linux

package router

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestJournalWriteFailureIsCoveredBySnapshot: an outcome's entry is
// written after the router's lock is released (persistence.written). When
// that write fails, a snapshot covers the entry, as one covers an entry
// the journal refused: calls go on, and a crash afterwards loses nothing.
func TestJournalWriteFailureIsCoveredBySnapshot(t *testing.T) {
	g, r := newJournalRig(t)
	defer func() {
		if t.Failed() {
			t.Log(g.logs.String())
		}
	}()
	g.calls(r, 3)
	refuseWrites(t, g.dir)
	g.calls(r, 1) // its outcome's write fails: nothing else is journaled after it
	if !strings.Contains(g.logs.String(), "journal write failed; snapshotting instead") {
		t.Fatal("the failed write went unnoticed")
	}
	crash(r) // before any other input: only the snapshot has the outcome
	r = g.open()
	defer r.Close()
	if s := r.Snapshot(); s.Budgets[0].Spent != g.settled {
		t.Fatalf("spent %d after the crash, settled %d", s.Budgets[0].Spent, g.settled)
	}
	g.calls(r, 3) // and the journal takes entries again
	if s := r.Snapshot(); s.Budgets[0].Spent != g.settled {
		t.Fatalf("spent %d, settled %d", s.Budgets[0].Spent, g.settled)
	}
}

// refuseWrites makes the journal's open segment, under dir, refuse every
// write from now on, as a full disk would, while a truncation still
// succeeds: its descriptor is replaced by a sealed memory file.
func refuseWrites(t *testing.T, dir string) {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	for _, e := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err != nil || !strings.HasPrefix(target, dir) || !strings.Contains(target, ".wal") {
			continue
		}
		fd, _ := strconv.Atoi(e.Name())
		sealed, err := unix.MemfdCreate("refuses-writes", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
		if err != nil {
			t.Skip("no memfd:", err)
		}
		defer unix.Close(sealed)
		if _, err := unix.FcntlInt(uintptr(sealed), unix.F_ADD_SEALS, unix.F_SEAL_WRITE); err != nil {
			t.Fatal(err)
		}
		if err := unix.Dup3(sealed, fd, unix.O_CLOEXEC); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no journal segment open under %s", dir)
}
