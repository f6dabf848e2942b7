//go:build unix

package store

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
)

// The crash test: a child process journals a counter's inputs with
// group-committed durable appends and snapshots, reporting each sequence
// number on a pipe once its wait returned; the parent kills it with SIGKILL
// at a random report and checks the store it left behind.

const (
	envCrashDir    = "STORE_TEST_CRASH_DIR"
	crashRounds    = 10
	crashMaxKillAt = 400 // reports read before the kill, at most
	crashWriters   = 8
	crashSnapEvery = 64
)

func TestCrashRecovery(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	var lastRecovered uint64
	for round := range crashRounds {
		killAt := 1 + rng.IntN(crashMaxKillAt)
		if round == 0 {
			killAt = 0 // while it creates the store
		}
		durable, err := runCrashChild(t, dir, killAt)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}

		s, err := Open(dir, crashOptions())
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		snapSeq, last, err := recoverCounter(s)
		s.Close()
		if err != nil {
			t.Fatalf("round %d (killed after %d reports): %v", round, killAt, err)
		}
		if last < durable {
			t.Fatalf("round %d: entry %d was reported durable, the store ends at %d", round, durable, last)
		}
		if last < lastRecovered {
			t.Fatalf("round %d: the store went back from %d to %d", round, lastRecovered, last)
		}
		t.Logf("round %d: killed after %d reports; highest durable %d, recovered snapshot %d + journal to %d",
			round, killAt, durable, snapSeq, last)
		lastRecovered = last
	}
}

// runCrashChild starts the child on dir, kills it once it has reported
// killAt durable entries (at once for 0), and returns the highest sequence
// it reported.
func runCrashChild(t *testing.T, dir string, killAt int) (durable uint64, err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var stderr bytes.Buffer
	cmd := exec.Command(mustExecutable(t), "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), envCrashDir+"="+dir)
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

	// Every line read was durable when the child wrote it, including the
	// lines still in the pipe after the kill.
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
		durable = max(durable, seq)
	}
	if !killed {
		cmd.Process.Kill()
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		return 0, fmt.Errorf("child did not die by SIGKILL: %v\n%s", err, stderr.Bytes())
	}
	return durable, nil
}

// TestCrashHelper is the child of TestCrashRecovery: it continues the
// counter in the store until it is killed.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv(envCrashDir)
	if dir == "" {
		t.Skip("helper process for TestCrashRecovery")
	}
	report := os.NewFile(3, "report")
	s, err := Open(dir, crashOptions())
	if err != nil {
		t.Fatal(err)
	}
	_, last, err := recoverCounter(s)
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu    sync.Mutex
		seq   = last
		sum   = last * (last + 1) / 2
		snaps = make(chan Entry, 1024) // in sequence order; see below
		wg    sync.WaitGroup
	)
	go func() {
		for snap := range snaps {
			if err := s.SaveSnapshot(snap.Seq, snap.Data); err != nil {
				fmt.Fprintln(os.Stderr, "snapshot:", err)
				os.Exit(2)
			}
		}
	}()
	const maxEntries = 1 << 20 // bounds the loop; the parent kills far earlier
	for range crashWriters {
		wg.Go(func() {
			for {
				mu.Lock()
				if seq >= last+maxEntries {
					mu.Unlock()
					return
				}
				seq++
				sum += seq
				mine := seq
				wait := s.Enqueue(Entry{mine, counterInput(mine)})
				if mine%crashSnapEvery == 0 {
					snaps <- Entry{mine, counterState(mine, sum)} // under mu: in order
				}
				mu.Unlock()
				if err := wait(); err != nil {
					fmt.Fprintln(os.Stderr, "append:", err)
					os.Exit(2)
				}
				fmt.Fprintf(report, "%d\n", mine)
			}
		})
	}
	wg.Wait()
}

func crashOptions() Options {
	opts := testOptions(testMasterKey)
	opts.NoSync = false // the real thing: fsync on every commit
	return opts
}

// counterInput is the journaled input that adds seq to the counter: seq and
// a filler of varying length, so pages split and overflow.
func counterInput(seq uint64) []byte {
	return append(binary.BigEndian.AppendUint64(nil, seq), bytes.Repeat([]byte{byte(seq)}, int(seq*7%300))...)
}

// counterState is the counter's snapshot after seq: seq and the sum of 1…seq.
func counterState(seq, sum uint64) []byte {
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, seq), sum)
}

// recoverCounter restores the counter from the snapshot and the journal and
// checks them: the snapshot is the state at its sequence number, the
// journal holds exactly the entries after it, contiguous and intact, and
// the result is the sum of 1…last.
func recoverCounter(s *Store) (snapSeq, last uint64, err error) {
	var sum uint64
	snapSeq, state, err := s.LatestSnapshot()
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return 0, 0, err
	case len(state) != 16 || binary.BigEndian.Uint64(state) != snapSeq:
		return 0, 0, fmt.Errorf("snapshot at %d holds state %x", snapSeq, state)
	default:
		sum = binary.BigEndian.Uint64(state[8:])
	}
	last = snapSeq
	err = s.Replay(0, func(seq uint64, data []byte) error {
		if seq != last+1 {
			return fmt.Errorf("journal entry %d follows %d (snapshot at %d): gap, duplicate or entry the snapshot covers", seq, last, snapSeq)
		}
		if !bytes.Equal(data, counterInput(seq)) {
			return fmt.Errorf("journal entry %d holds %x", seq, data)
		}
		last, sum = seq, sum+seq
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	if want := last * (last + 1) / 2; sum != want {
		return 0, 0, fmt.Errorf("recovered sum %d at %d, want %d", sum, last, want)
	}
	return snapSeq, last, nil
}
