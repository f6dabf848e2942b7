package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestDamagedStoreRefusesToStart: a damaged apikeyrouter.db stops the
// proxy at start with a message that names the file and what to do — not
// a bbolt panic, and not a start that fails later (a file cut short used
// to start, replay, then fail its writes with "file too large"). Doing
// what it says (moving the file and the journal away) starts afresh.
func TestDamagedStoreRefusesToStart(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, db string)
		says   string
	}{
		// As `head -c 8192 /dev/urandom | dd of=apikeyrouter.db bs=4096
		// seek=N conv=notrunc` does, at a page of the tree.
		{"two pages of garbage", func(t *testing.T, db string) {
			f, err := os.OpenFile(db, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(bytes.Repeat([]byte{0xa5, 0x5a, 0x3c, 0xc3}, 2048), treePage(t, db)*4096); err != nil {
				t.Fatal(err)
			}
		}, "bbolt panicked: assertion failed"},
		{"cut to half the size it uses", func(t *testing.T, db string) {
			if err := os.Truncate(db, usedSize(t, db)/2); err != nil {
				t.Fatal(err)
			}
		}, "it was cut short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFleet(t)
			p := start(t, f.env...)
			c := client(p)
			for range 3 {
				if _, err := c.Chat.Completions.New(context.Background(), chatParams("before the damage")); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.stop(); err != nil {
				t.Fatal(err)
			}
			db := filepath.Join(f.dataDir, "apikeyrouter.db")
			tc.damage(t, db)

			// A port in use: a proxy that got past its store exits at once.
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(bins, "apikeyrouter"), "serve")
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "PROXY_HOST=127.0.0.1",
				fmt.Sprintf("PROXY_PORT=%d", ln.Addr().(*net.TCPAddr).Port)}, f.env...)
			out, err := cmd.CombinedOutput()
			for _, want := range []string{"corrupt data", db, tc.says, "restore the data directory from a backup", "journal"} {
				if err == nil || !strings.Contains(string(out), want) {
					t.Fatalf("exit %v; the output does not say %q:\n%s", err, want, out)
				}
			}
			if strings.Contains(string(out), "goroutine ") {
				t.Fatalf("the proxy crashed:\n%s", out)
			}
			for line := range strings.Lines(string(out)) {
				if strings.Contains(line, "corrupt data") {
					t.Logf("figures: %s", strings.TrimSpace(line))
				}
			}

			// Start afresh, as the message says.
			aside := t.TempDir()
			for _, name := range []string{"apikeyrouter.db", "journal"} {
				if err := os.Rename(filepath.Join(f.dataDir, name), filepath.Join(aside, name)); err != nil {
					t.Fatal(err)
				}
			}
			p = start(t, f.env...)
			c = client(p)
			if _, err := c.Chat.Completions.New(context.Background(), chatParams("afresh")); err != nil {
				t.Fatalf("a call after starting afresh: %v", err)
			}
		})
	}
}

// usedSize returns the bytes of db that its meta page counts: bbolt grows
// a file ahead of its use.
func usedSize(t *testing.T, path string) int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var size int64
	db.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
	return size
}

// treePage returns a page of db's tree that every start reads: the root
// of its largest bucket.
func treePage(t *testing.T, path string) int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var page int64
	var most int
	db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			if n := b.Stats().KeyN; n > most && b.Root() > 1 {
				page, most = int64(b.Root()), n
			}
			return nil
		})
	})
	if page == 0 {
		t.Fatal("every bucket is inline: no page to damage")
	}
	return page
}
