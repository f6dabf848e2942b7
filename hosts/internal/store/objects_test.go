package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestObjects(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	for _, o := range []struct{ kind, id, value string }{
		{"providers", "openai", `{"base":"x"}`},
		{"keys", "k2", "two"},
		{"keys", "k10", "ten"},
		{"keys", "k1", "one"},
		{"keys", "k2", "two, updated"},
		{"settings", "proxy_key_hash", ""},
	} {
		if err := s.Put(o.kind, o.id, []byte(o.value)); err != nil {
			t.Fatalf("Put(%s, %s): %v", o.kind, o.id, err)
		}
	}
	if err := s.Delete("keys", "k10"); err != nil {
		t.Fatal(err)
	}
	for _, del := range [][2]string{{"keys", "missing"}, {"no_such_kind", "x"}} {
		if err := s.Delete(del[0], del[1]); err != nil {
			t.Errorf("Delete(%s, %s) = %v, want nil", del[0], del[1], err)
		}
	}
	s.Close()
	s = openTest(t, dir)

	recs, err := s.List("keys")
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{{ID: "k1", Value: []byte("one")}, {ID: "k2", Value: []byte("two, updated")}}
	if !slices.EqualFunc(recs, want, func(a, b Record) bool { return a.ID == b.ID && string(a.Value) == string(b.Value) }) {
		t.Errorf("List(keys) = %+v, want %+v", recs, want)
	}
	if recs, err := s.List("no_such_kind"); err != nil || len(recs) != 0 {
		t.Errorf("List(unknown kind) = %+v, %v; want empty", recs, err)
	}
	// An empty value exists, and differs from a missing one.
	if v, err := s.Get("settings", "proxy_key_hash"); err != nil || v == nil || len(v) != 0 {
		t.Errorf("Get(empty value) = %q (nil %v), %v; want empty, non-nil", v, v == nil, err)
	}
	for _, miss := range [][2]string{{"keys", "k10"}, {"keys", "never"}, {"no_such_kind", "x"}} {
		if _, err := s.Get(miss[0], miss[1]); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%s, %s) err = %v, want ErrNotFound", miss[0], miss[1], err)
		}
	}
	// Values are copies.
	v, _ := s.Get("keys", "k1")
	v[0] = 'X'
	if v, _ := s.Get("keys", "k1"); string(v) != "one" {
		t.Errorf("modifying a returned value changed the store: %q", v)
	}
}

func TestObjectKindsAreIsolated(t *testing.T) {
	s := openTest(t, t.TempDir())
	if err := s.PutSecret("k", []byte("secret")); err != nil {
		t.Fatal(err)
	}
	// Kinds named like the store's own buckets are separate namespaces.
	for _, kind := range []string{"secrets", "journal", "meta"} {
		if v, err := s.Get(kind, "k"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%s, k) = %q, %v; want ErrNotFound", kind, v, err)
		}
		if err := s.Put(kind, "k", []byte("object")); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Secret("k"); err != nil || string(got) != "secret" {
		t.Errorf("Secret(k) = %q, %v after objects of kind secrets", got, err)
	}
}

func TestObjectNamesValidated(t *testing.T) {
	s := openTest(t, t.TempDir())
	for _, tc := range []struct {
		kind, id string
		ok       bool
	}{
		{"client_keys", "ck-1", true},
		{"a", "x", true},
		{"v2", strings.Repeat("i", maxIDLen), true},
		{strings.Repeat("k", maxKindLen), "x", true},
		{"", "x", false},
		{"Keys", "x", false},
		{"9keys", "x", false},
		{"_keys", "x", false},
		{"keys/sub", "x", false},
		{"keys.v1", "x", false},
		{"kéys", "x", false},
		{strings.Repeat("k", maxKindLen+1), "x", false},
		{"keys", "", false},
		{"keys", strings.Repeat("i", maxIDLen+1), false},
	} {
		err := s.Put(tc.kind, tc.id, []byte("v"))
		if tc.ok && err != nil {
			t.Errorf("Put(%.20q, %.20q) = %v, want nil", tc.kind, tc.id, err)
		}
		if !tc.ok && !errors.Is(err, ErrInvalid) {
			t.Errorf("Put(%.20q, %.20q) = %v, want ErrInvalid", tc.kind, tc.id, err)
		}
	}
}
