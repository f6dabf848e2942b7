package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealedObjectsAreEncryptedAndBoundToTheirID(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	plain := []byte(`{"header":{"X-Org":["sk-org-secret"]}}`)
	if err := s.PutSealed("provider", "groq", plain); err != nil {
		t.Fatal(err)
	}
	recs, err := s.ListSealed("provider")
	if err != nil || len(recs) != 1 || recs[0].ID != "groq" || !bytes.Equal(recs[0].Value, plain) || recs[0].Unsealed {
		t.Fatalf("ListSealed: %+v, %v", recs, err)
	}
	raw, err := s.Get("provider", "groq")
	if err != nil || bytes.Contains(raw, []byte("sk-org-secret")) {
		t.Fatalf("stored value %q (%v) holds the value in the clear", raw, err)
	}
	// The same ciphertext under another id does not open.
	if err := s.Put("provider", "other", raw); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListSealed("provider"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a sealed value moved to another id: %v, want ErrCorrupt", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil || bytes.Contains(file, []byte("sk-org-secret")) {
		t.Fatalf("the store's file holds the sealed value in the clear (%v)", err)
	}
}

func TestListSealedMarksValuesStoredInTheClear(t *testing.T) {
	s := openTest(t, t.TempDir())
	clear := []byte(`{"base_url":"http://u:p@host/v1"}`)
	if err := s.Put("provider", "old", clear); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSealed("provider", "new", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	recs, err := s.ListSealed("provider")
	if err != nil || len(recs) != 2 {
		t.Fatalf("ListSealed: %+v, %v", recs, err)
	}
	if r := recs[1]; r.ID != "old" || !r.Unsealed || !bytes.Equal(r.Value, clear) {
		t.Errorf("the clear record: %+v", r)
	}
	if r := recs[0]; r.ID != "new" || r.Unsealed || string(r.Value) != "{}" {
		t.Errorf("the sealed record: %+v", r)
	}
	if err := s.Put("provider", "junk", []byte{7, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListSealed("provider"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("an unknown format: %v, want ErrCorrupt", err)
	}
}
