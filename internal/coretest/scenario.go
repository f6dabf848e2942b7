package coretest

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// Scenarios are data-driven tests in raft's style: each file in
// testdata/scenarios holds blocks of
//
//	# a comment
//	command arg=value arg2=value …
//	----
//	expected output
//
// separated by blank lines. [RunScenarios] executes each command against a
// fresh core through its byte-level surface and compares the output with
// the expected text; with rewrite it writes the actual output back instead.
// The clock starts at 2026-01-01T00:00:00Z and moves only with "tick".

// ScenarioStart is the clock at the start of every scenario.
var ScenarioStart = abi.UnixNano(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())

// block is one command of a scenario file and its expected output.
type block struct {
	line    int
	cmd     string
	args    []string
	raw     string
	comment string
	want    string
}

// RunScenarios runs every scenario file in dir on fresh cores from newCore.
func RunScenarios(t *testing.T, dir string, newCore func(t *testing.T) Core, rewrite bool) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios in %s: %v", dir, err)
	}
	slices.Sort(files)
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			blocks, err := parseScenario(f)
			if err != nil {
				t.Fatal(err)
			}
			s := &scenario{core: newCore(t), now: ScenarioStart}
			var out bytes.Buffer
			for i := range blocks {
				b := &blocks[i]
				got, err := s.run(b)
				if err != nil {
					t.Fatalf("%s:%d: %s: %v", f, b.line, b.raw, err)
				}
				if rewrite {
					writeBlock(&out, b, got)
					continue
				}
				if got != b.want {
					t.Errorf("%s:%d: %s\n--- got\n%s\n--- want\n%s", f, b.line, b.raw, got, b.want)
				}
			}
			if rewrite {
				if err := os.WriteFile(f, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func writeBlock(w *bytes.Buffer, b *block, got string) {
	if w.Len() > 0 {
		w.WriteByte('\n')
	}
	w.WriteString(b.comment)
	fmt.Fprintf(w, "%s\n----\n%s", b.raw, got)
	if got != "" && !strings.HasSuffix(got, "\n") {
		w.WriteByte('\n')
	}
}

func parseScenario(path string) ([]block, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		blocks  []block
		cur     *block
		inWant  bool
		comment strings.Builder
		sc      = bufio.NewScanner(f)
		n       = 0
	)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case inWant && line == "":
			inWant, cur = false, nil
		case inWant:
			cur.want += line + "\n"
		case line == "" && cur == nil:
		case strings.HasPrefix(line, "#") && cur == nil:
			comment.WriteString(line + "\n")
		case line == "----":
			if cur == nil {
				return nil, fmt.Errorf("%s:%d: ---- without a command", path, n)
			}
			inWant = true
		case cur == nil:
			fields := strings.Fields(line)
			blocks = append(blocks, block{line: n, cmd: fields[0], args: fields[1:], raw: line, comment: comment.String()})
			comment.Reset()
			cur = &blocks[len(blocks)-1]
		default:
			return nil, fmt.Errorf("%s:%d: expected ---- after the command", path, n)
		}
	}
	return blocks, sc.Err()
}
