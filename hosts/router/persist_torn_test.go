package router

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTornJournalTailIsReported: the torn tail a crash leaves at the end of
// the journal is dropped on recovery, and the router says so: a warning
// with the bytes dropped and the segment they were cut from. Nothing that
// was settled is lost.
func TestTornJournalTailIsReported(t *testing.T) {
	g, r := newJournalRig(t)
	g.calls(r, 5)
	crash(r)

	segs, err := filepath.Glob(filepath.Join(g.dir, "journal", "journal-*.wal"))
	if err != nil || len(segs) == 0 {
		t.Fatalf("no journal segment: %v", err)
	}
	last := segs[len(segs)-1]
	torn := bytes.Repeat([]byte{0xa5}, 37) // half a record: no valid one
	f, err := os.OpenFile(last, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(torn); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	r = g.open()
	defer r.Close()
	var warning string
	for line := range strings.Lines(g.logs.String()) {
		if strings.Contains(line, "torn tail") {
			warning = line
		}
	}
	if !strings.Contains(warning, "level=WARN") || !strings.Contains(warning, "bytes=37") ||
		!strings.Contains(warning, "segment="+last) {
		t.Fatalf("no warning with the bytes and the segment of the torn tail; logs:\n%s", g.logs)
	}
	if got := r.Snapshot().Budgets[0].Spent; got != g.settled {
		t.Fatalf("spent %d after recovery, settled %d", got, g.settled)
	}
}
