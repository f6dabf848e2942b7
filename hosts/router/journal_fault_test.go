package router

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// journalRig is a persistent router over a mock upstream, with three keys
// and a budget.
type journalRig struct {
	t        *testing.T
	dir      string
	mock     *mockupstream.Server
	adapters map[string]sdk.Adapter
	logs     *syncBuffer
	settled  abi.NanoUSD
}

func newJournalRig(t *testing.T) (*journalRig, *Router) {
	mock := mockupstream.New(mockupstream.Config{})
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	t.Cleanup(mock.Close)
	g := &journalRig{t: t, dir: t.TempDir(), mock: mock, adapters: map[string]sdk.Adapter{"openai": openai.New(openai.Config{})},
		logs: &syncBuffer{}}
	r := g.open()
	if err := r.SetProvider(Provider{ID: "openai", AdapterName: "openai", BaseURL: srv.URL + "/v1"}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterModel(abi.Model{Provider: "openai", Name: "gpt-4o-mini", Price: abi.Price{Input: 150_000, Output: 600_000}}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if err := r.RegisterKey(abi.Key{ID: abi.KeyID(fmt.Sprintf("k%d", i)), Provider: "openai"}, fmt.Sprintf("sk-journal-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.SetBudget(abi.Budget{ID: "all", Limit: 100 * abi.Dollars, Period: abi.Monthly}); err != nil {
		t.Fatal(err)
	}
	return g, r
}

func (g *journalRig) open() *Router {
	g.t.Helper()
	r, err := New(Options{DataDir: g.dir, MasterKey: []byte("journal test master key"), Adapters: g.adapters,
		Logger: slog.New(slog.NewTextHandler(g.logs, nil))})
	if err != nil {
		g.t.Fatal(err)
	}
	return r
}

// calls makes n calls that must succeed, and adds up what they were charged.
func (g *journalRig) calls(r *Router, n int) {
	g.t.Helper()
	for i := range n {
		a, err := r.Do(context.Background(), Call{Model: "gpt-4o-mini", Body: []byte(fmt.Sprintf(
			`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"journal call %d"}]}`, i))})
		if err != nil {
			g.t.Fatal(err)
		}
		io.Copy(io.Discard, a.Body)
		a.Body.Close()
		_, fx := a.Settled()
		g.settled += fx.Cost
	}
}

// TestJournalFailureIsCoveredBySnapshot: when the journal refuses an
// entry at run time, a snapshot that covers it takes its place and the
// journal restarts after it. Calls go on being served and charged, and a
// kill -9 afterwards loses nothing. (The refusal is made here by writing
// an entry under the router's next sequence number behind its back; the
// wal's own tests cover the disk errors — ENOSPC, EIO, failed fsyncs —
// that fail an Append the same way.)
func TestJournalFailureIsCoveredBySnapshot(t *testing.T) {
	g, r := newJournalRig(t)
	g.calls(r, 5)
	r.mu.Lock()
	err := r.persist.journal.Append(r.persist.seq+1, []byte{opApply})
	r.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	g.calls(r, 5) // the first input is refused by the journal
	if !strings.Contains(g.logs.String(), "journal append failed; snapshotting instead") {
		t.Fatalf("the journal failure went unnoticed:\n%s", g.logs)
	}
	g.calls(r, 5)
	pre := r.Snapshot()
	if pre.Budgets[0].Spent != g.settled {
		t.Fatalf("spent %d, settled %d", pre.Budgets[0].Spent, g.settled)
	}
	crash(r)
	r = g.open()
	defer r.Close()
	post := r.Snapshot()
	if post.Budgets[0].Spent != g.settled || !reflect.DeepEqual(pre.Keys, post.Keys) || pre.NextAttempt != post.NextAttempt {
		t.Fatalf("after a crash: spent %d, settled %d; keys %+v, were %+v", post.Budgets[0].Spent, g.settled, post.Keys, pre.Keys)
	}
}

// TestJournalAndSnapshotFailureStopsCalls: when neither the journal nor a
// snapshot can take an input, the call that made it fails before any
// provider is called: the router serves nothing it could not record.
func TestJournalAndSnapshotFailureStopsCalls(t *testing.T) {
	g, r := newJournalRig(t)
	g.calls(r, 3)
	before := g.mock.Requests("sk-journal-1") + g.mock.Requests("sk-journal-2") + g.mock.Requests("sk-journal-3")
	r.mu.Lock()
	r.persist.journal.Close() // every Append and Rotate now fails
	r.mu.Unlock()
	_, err := r.Do(context.Background(), Call{Model: "gpt-4o-mini", Body: []byte(`{"model":"gpt-4o-mini","messages":[]}`)})
	var refusal *Refusal
	if err == nil || errors.As(err, &refusal) || !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "journal and snapshot both failed") {
		t.Fatalf("Do with a broken journal: %v", err)
	}
	after := g.mock.Requests("sk-journal-1") + g.mock.Requests("sk-journal-2") + g.mock.Requests("sk-journal-3")
	if after != before {
		t.Fatalf("%d provider calls were made that the router could not record", after-before)
	}
	crash(r)
}
