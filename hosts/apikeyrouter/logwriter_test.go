package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// sink records what reaches it and signals each write.
type sink struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes chan struct{}
}

func newSink() *sink { return &sink{writes: make(chan struct{}, 100)} }

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Write(p)
	s.writes <- struct{}{}
	return len(p), nil
}

func (s *sink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogWriterBuffers(t *testing.T) {
	s := newSink()
	l := newLogWriter(s, time.Hour)
	l.Write([]byte("one\n"))
	l.Write([]byte("two\n"))
	if got := s.String(); got != "" {
		t.Fatalf("written before a flush was due: %q", got)
	}
	l.Flush()
	if got := s.String(); got != "one\ntwo\n" {
		t.Fatalf("after Flush: %q", got)
	}
	// A full buffer goes out at once, whole lines in order.
	line := strings.Repeat("x", 1000) + "\n"
	for range logBufferBytes/len(line) + 1 {
		l.Write([]byte(line))
	}
	if got := s.String(); len(got) < logBufferBytes/2 || !strings.HasSuffix(got, line) {
		t.Fatalf("a full buffer was not written out: %d bytes", len(got))
	}
}

func TestLogWriterFlushesInAWhile(t *testing.T) {
	s := newSink()
	l := newLogWriter(s, time.Millisecond)
	l.Write([]byte("later\n"))
	select {
	case <-s.writes:
	case <-time.After(10 * time.Second):
		t.Fatal("a buffered line was never written")
	}
	if got := s.String(); got != "later\n" {
		t.Fatalf("got %q", got)
	}
}

func TestUrgentRecordsFlush(t *testing.T) {
	s := newSink()
	l := newLogWriter(s, time.Hour)
	urgent := new(slog.LevelVar)
	urgent.Set(slog.LevelWarn)
	log := slog.New(urgentFlush{slog.NewJSONHandler(l, nil), l, urgent}).With("component", "test")
	log.Info("request")
	if got := s.String(); got != "" {
		t.Fatalf("an info line was written at once: %q", got)
	}
	log.Warn("trouble")
	got := s.String()
	if i, j := strings.Index(got, `"msg":"request"`), strings.Index(got, `"msg":"trouble"`); i < 0 || j < i {
		t.Fatalf("a warning did not write out the lines before it and itself, in order: %q", got)
	}
	urgent.Set(flushAll)
	log.Info("starting")
	if !strings.Contains(s.String(), `"msg":"starting"`) {
		t.Fatal("with flushAll an info line was not written at once")
	}
}

func TestLogWriterKeepsEveryLineInOrder(t *testing.T) {
	s := &sink{writes: make(chan struct{}, 1<<16)}
	l := newLogWriter(s, time.Millisecond)
	const writers, lines = 4, 3000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range lines {
				l.Write(fmt.Appendf(nil, "%d %d %s\n", w, i, strings.Repeat("x", 80)))
			}
		})
	}
	wg.Wait()
	l.Flush()
	next := make([]int, writers)
	for _, line := range strings.Split(strings.TrimSuffix(s.String(), "\n"), "\n") {
		var w, i int
		if _, err := fmt.Sscanf(line, "%d %d", &w, &i); err != nil || w < 0 || w >= writers {
			t.Fatalf("garbled line %q", line)
		}
		if i != next[w] {
			t.Fatalf("writer %d: line %d after %d", w, i, next[w]-1)
		}
		next[w]++
	}
	for w, n := range next {
		if n != lines {
			t.Errorf("writer %d: %d of %d lines written", w, n, lines)
		}
	}
}
