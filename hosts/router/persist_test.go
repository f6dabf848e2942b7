package router

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/hosts/internal/store"
	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
	"github.com/apikeyrouter/apikeyrouter/plugins/openai"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// crash drops a router as a kill -9 would: no final snapshot, the journal
// and store just closed so the next open in this process can lock them.
func crash(r *Router) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.persist.journal.Close()
	r.persist.store.Close()
	r.persist = nil
}

func TestPersistenceSurvivesRestartAndCrash(t *testing.T) {
	mock := mockupstream.New(mockupstream.Config{})
	srv := httptest.NewServer(mock)
	defer srv.Close()
	defer mock.Close()
	dir := t.TempDir()
	adapters := map[string]sdk.Adapter{"openai": openai.New(openai.Config{})}
	open := func(snapshotEvery int) *Router {
		r, err := New(Options{DataDir: dir, MasterKey: []byte("test master key"), Adapters: adapters, SnapshotEvery: snapshotEvery})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := open(7) // snapshots now and then, journal in between
	if err := r.SetProvider(Provider{ID: "openai", AdapterName: "openai", BaseURL: srv.URL + "/v1"}); err != nil {
		t.Fatal(err)
	}
	r.RegisterModel(abi.Model{Provider: "openai", Name: "gpt-4o-mini", Price: abi.Price{Input: 150_000, Output: 600_000}})
	for i := 1; i <= 3; i++ {
		r.RegisterKey(abi.Key{ID: abi.KeyID(fmt.Sprintf("k%d", i)), Provider: "openai"}, fmt.Sprintf("sk-secret-%d", i))
	}
	r.SetBudget(abi.Budget{ID: "all", Limit: 100 * abi.Dollars, Period: abi.Monthly})
	mock.SetFault("sk-secret-2", mockupstream.Fault{Status: 429, RetryAfter: 3600e9})
	var settled abi.NanoUSD
	calls := func(r *Router, n int) {
		for i := range n {
			a, err := r.Do(context.Background(), Call{Model: "gpt-4o-mini", Body: []byte(fmt.Sprintf(
				`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"call number %d"}]}`, i))})
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, a.Body)
			a.Body.Close()
			_, fx := a.Settled()
			settled += fx.Cost
		}
	}
	spent := func(r *Router) abi.NanoUSD { return r.Snapshot().Budgets[0].Spent }
	calls(r, 10)
	before := spent(r)
	if before != settled || before == 0 {
		t.Fatalf("spent %d, settled %d", before, settled)
	}

	// A clean restart.
	r.Close()
	r = open(7)
	if got := spent(r); got != settled {
		t.Fatalf("after restart: spent %d, settled %d", got, settled)
	}
	if s, ok := r.Secret("k3"); !ok || s != "sk-secret-3" {
		t.Fatalf("secret of k3 after restart: %q %v", s, ok)
	}
	if p, ok := r.Provider("openai"); !ok || p.Adapter == nil || p.BaseURL != srv.URL+"/v1" {
		t.Fatalf("provider after restart: %+v", p)
	}
	calls(r, 11)
	pre := r.Snapshot()

	// A crash: no final snapshot; the journal tail is replayed.
	crash(r)
	r = open(7)
	defer r.Close()
	if got := spent(r); got != settled {
		t.Fatalf("after crash: spent %d, settled %d", got, settled)
	}
	for _, k := range r.Snapshot().Keys {
		if k.Key.ID == "k2" && k.Pools[0].State != abi.CoolingDown {
			t.Fatalf("the cooldown of k2 was lost: %+v", k.Pools[0])
		}
	}
	post := r.Snapshot()
	if !reflect.DeepEqual(pre.Keys, post.Keys) || !reflect.DeepEqual(pre.Budgets, post.Budgets) || pre.NextAttempt != post.NextAttempt {
		t.Fatalf("state after the crash differs:\n%+v\n%+v", pre.Keys, post.Keys)
	}

	// No secret is stored in the clear.
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i := 1; i <= 3; i++ {
			if bytes.Contains(b, []byte(fmt.Sprintf("sk-secret-%d", i))) {
				t.Errorf("%s holds secret %d in the clear", path, i)
			}
		}
		return nil
	})
}

func TestWrongMasterKeyIsRefused(t *testing.T) {
	dir := t.TempDir()
	r, err := New(Options{DataDir: dir, MasterKey: []byte("right")})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := New(Options{DataDir: dir, MasterKey: []byte("wrong")}); err == nil || !errors.Is(err, errWrongKey()) {
		t.Fatalf("opened with the wrong master key: %v", err)
	}
}

func errWrongKey() error { return store.ErrWrongMasterKey }
