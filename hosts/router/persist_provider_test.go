package router

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/store"
)

// A provider's headers and base URL may carry credentials: they are stored
// sealed, and a record an earlier version stored in the clear is sealed
// when it is next loaded.
func TestProviderSettingsAreStoredSealed(t *testing.T) {
	dir := t.TempDir()
	key := []byte("test master key")
	open := func() *Router {
		t.Helper()
		r, err := New(Options{DataDir: dir, MasterKey: key})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := open()
	p := Provider{ID: "corp", AdapterName: "openai", BaseURL: "http://user:sk-url-secret@127.0.0.1:1/v1",
		Header: http.Header{"X-Org": {"sk-header-secret"}}}
	if err := r.SetProvider(p); err != nil {
		t.Fatal(err)
	}
	r.Close()
	file, err := os.ReadFile(filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"sk-url-secret", "sk-header-secret"} {
		if bytes.Contains(file, []byte(s)) {
			t.Errorf("the store holds %s in the clear", s)
		}
	}
	r = open()
	got, ok := r.Provider("corp")
	r.Close()
	if !ok || got.BaseURL != p.BaseURL || got.Header.Get("X-Org") != "sk-header-secret" {
		t.Fatalf("provider after restart: %+v", got)
	}

	// An earlier version's record, in the clear.
	st, err := store.Open(dir, store.Options{MasterKey: key})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := json.Marshal(providerRecord{Adapter: "openai", BaseURL: "http://127.0.0.1:2/v1", Header: http.Header{"X-Old": {"v"}}})
	if err := st.Put(kindProvider, "legacy", old); err != nil {
		t.Fatal(err)
	}
	st.Close()
	r = open()
	got, ok = r.Provider("legacy")
	r.Close()
	if !ok || got.BaseURL != "http://127.0.0.1:2/v1" || got.Header.Get("X-Old") != "v" {
		t.Fatalf("the clear record after restart: %+v", got)
	}
	st, err = store.Open(dir, store.Options{MasterKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	raw, err := st.Get(kindProvider, "legacy")
	if err != nil || bytes.Equal(raw, old) || raw[0] == '{' {
		t.Fatalf("the clear record was not sealed when loaded: %q (%v)", raw, err)
	}
}
