//go:build unix

package wal

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// The crash test: a child process appends records in a loop, reporting
// each sequence number on a pipe once Append (and, under SyncBatch,
// WaitDurable) returned; the parent kills it with SIGKILL at a random
// report, reopens the log and checks that every reported record is there,
// contiguous and intact. In "rotate" mode the child also saves a snapshot
// (a file holding its sequence number) and rotates every few records, so
// that kills land inside Rotate. In "defer" mode two records in three are
// deferred, written by the Append that follows them.

const (
	envCrashRoot   = "WAL_TEST_CRASH_ROOT"
	envCrashMode   = "WAL_TEST_CRASH_MODE"
	envCrashSync   = "WAL_TEST_CRASH_SYNC"
	crashRounds    = 10
	crashMaxKillAt = 300     // reports read before the kill, at most
	crashMaxAppend = 1 << 20 // bounds the child's loop; the parent kills it far earlier
	crashSnapEvery = 16
)

func TestCrashRecovery(t *testing.T) {
	for _, mode := range []string{"append", "rotate", "defer"} {
		t.Run(mode, func(t *testing.T) {
			root := t.TempDir()
			rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
			var lastRecovered uint64
			for round := range crashRounds {
				policy := SyncPolicy(round % 3)
				killAt := 1 + rng.IntN(crashMaxKillAt)
				if round == 0 {
					killAt = 0 // while it opens the log
				}
				reported, err := runCrashChild(t, root, mode, policy, killAt)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}

				l, err := Open(filepath.Join(root, "wal"), Options{})
				if err != nil {
					t.Fatalf("round %d (%v, killed after %d reports): reopen: %v", round, policy, killAt, err)
				}
				snap := readCrashSnapshot(t, root)
				last := l.Last()
				err = l.Replay(snap, func(seq uint64, data []byte) error {
					if !bytes.Equal(data, crashData(seq)) {
						return fmt.Errorf("record %d holds %d bytes that are not its own", seq, len(data))
					}
					return nil
				}) // Replay itself checks that the records are contiguous
				truncated, _ := l.Truncated()
				l.Close()
				switch {
				case err != nil:
					t.Fatalf("round %d (%v): replay after snapshot %d: %v", round, policy, snap, err)
				case last < reported:
					t.Fatalf("round %d (%v): record %d was reported appended, the log ends at %d", round, policy, reported, last)
				case last < lastRecovered:
					t.Fatalf("round %d (%v): the log went back from %d to %d", round, policy, lastRecovered, last)
				}
				t.Logf("round %d (%v): killed after %d reports; last reported %d, log %d…%d, torn tail %d bytes",
					round, policy, killAt, reported, snap+1, last, truncated)
				lastRecovered = last
			}
		})
	}
}

// runCrashChild starts the child, kills it once it has reported killAt
// records (at once for 0), and returns the highest one it reported.
func runCrashChild(t *testing.T, root, mode string, policy SyncPolicy, killAt int) (reported uint64, err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	exe, err := os.Executable()
	if err != nil {
		return 0, err
	}
	var stderr bytes.Buffer
	cmd := exec.Command(exe, "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), envCrashRoot+"="+root, envCrashMode+"="+mode, envCrashSync+"="+strconv.Itoa(int(policy)))
	cmd.ExtraFiles = []*os.File{w} // fd 3 in the child
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		w.Close()
		return 0, err
	}
	w.Close()
	killed := killAt == 0
	if killed {
		cmd.Process.Kill()
	}
	// Every line was written after its record was appended, including
	// the lines still in the pipe after the kill.
	lines := bufio.NewScanner(r)
	for n := 1; lines.Scan(); n++ {
		if n >= killAt && !killed {
			cmd.Process.Kill() // SIGKILL
			killed = true
		}
		seq, err := strconv.ParseUint(lines.Text(), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("child report %q: %v", lines.Text(), err)
		}
		reported = max(reported, seq)
	}
	if !killed {
		cmd.Process.Kill()
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		return 0, fmt.Errorf("child did not die by SIGKILL: %v\n%s", err, stderr.Bytes())
	}
	return reported, nil
}

// TestCrashHelper is the child of TestCrashRecovery: it continues the log
// until it is killed.
func TestCrashHelper(t *testing.T) {
	root := os.Getenv(envCrashRoot)
	if root == "" {
		t.Skip("helper process for TestCrashRecovery")
	}
	policy, err := strconv.Atoi(os.Getenv(envCrashSync))
	if err != nil {
		t.Fatal(err)
	}
	rotate := os.Getenv(envCrashMode) == "rotate"
	report := os.NewFile(3, "report")
	l, err := Open(filepath.Join(root, "wal"), Options{Sync: SyncPolicy(policy), SegmentSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if snap := readCrashSnapshot(t, root); snap > l.Last() {
		if err := l.Rotate(snap); err != nil {
			t.Fatal(err)
		}
	}
	deferring := os.Getenv(envCrashMode) == "defer"
	for seq := l.Last() + 1; seq <= crashMaxAppend; seq++ {
		if deferring && seq%3 != 0 {
			// Deferred records are not reported: only the Append after
			// them promises them.
			if err := l.Defer(seq, crashData(seq)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := l.Append(seq, crashData(seq)); err != nil {
			t.Fatal(err)
		}
		if err := l.WaitDurable(seq); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(report, "%d\n", seq)
		if rotate && seq%crashSnapEvery == 0 {
			snap := seq - seq/crashSnapEvery%4 // sometimes short of the last record
			writeCrashSnapshot(t, root, snap)
			if err := l.Rotate(snap); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// crashData is record seq's data: its number and a filler, 128 KiB every
// 29th record so that a kill can tear a write.
func crashData(seq uint64) []byte {
	n := int(seq * 7 % 300)
	if seq%29 == 0 {
		n = 128 << 10
	}
	return append(binary.LittleEndian.AppendUint64(nil, seq), bytes.Repeat([]byte{byte(seq)}, n)...)
}

// writeCrashSnapshot stands for the store's SaveSnapshot: it atomically
// replaces the snapshot file with one covering seq.
func writeCrashSnapshot(t *testing.T, root string, seq uint64) {
	tmp := filepath.Join(root, "snapshot.tmp")
	if err := os.WriteFile(tmp, binary.LittleEndian.AppendUint64(nil, seq), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(root, "snapshot")); err != nil {
		t.Fatal(err)
	}
}

// readCrashSnapshot returns the sequence number of the latest snapshot, 0
// for none.
func readCrashSnapshot(t *testing.T, root string) uint64 {
	b, err := os.ReadFile(filepath.Join(root, "snapshot"))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return 0
	case err != nil:
		t.Fatal(err)
	case len(b) != 8:
		t.Fatalf("snapshot file of %d bytes", len(b))
	}
	return binary.LittleEndian.Uint64(b)
}
