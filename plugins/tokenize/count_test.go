package tokenize

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestCutKeepsCounts checks that tokenizing a text in chunks gives the
// count of the whole, and that every chunk is bounded.
func TestCutKeepsCounts(t *testing.T) {
	var texts []string
	for _, p := range loadFixture(t) {
		if p.Kind == "text" {
			texts = append(texts, p.Text)
		}
	}
	whole := strings.Join(texts, "\n\n")
	for _, enc := range []Encoding{O200kBase, Cl100kBase} {
		tok := vocabularies[enc]()
		want := tok.count(whole)
		got, chunks := 0, 0
		for s := whole; s != ""; chunks++ {
			var chunk string
			chunk, s = cut(s)
			if len(chunk) == 0 || len(chunk) > chunkBytes || !utf8.ValidString(chunk) {
				t.Fatalf("chunk %d has %d bytes (valid UTF-8: %v)", chunks, len(chunk), utf8.ValidString(chunk))
			}
			got += tok.count(chunk)
		}
		// Only forced cuts in runs without a " word" boundary (the
		// base64 blob) may add a token each.
		if got < want || got > want+8 {
			t.Errorf("%s: %d chunks count %d tokens, the whole %d", enc, chunks, got, want)
		}
	}
}

func TestCut(t *testing.T) {
	word := strings.Repeat("abcdefg ", chunkBytes/8+10) // cut before a " word"
	first, rest := cut(word)
	if len(first) > chunkBytes || first+rest != word || !strings.HasPrefix(rest, " a") || strings.HasSuffix(first, " ") {
		t.Errorf("cut(words) = %d bytes ending %q, rest starting %q", len(first), first[len(first)-3:], rest[:3])
	}
	runes := strings.Repeat("é", chunkBytes) // no space: cut at a rune boundary
	first, rest = cut(runes)
	if first+rest != runes || !utf8.ValidString(first) || !utf8.ValidString(rest) || len(first) > forcedCutBytes {
		t.Errorf("cut(runes) split a character or was not forced: %d bytes", len(first))
	}
	if first, rest := cut("short"); first != "short" || rest != "" {
		t.Errorf("cut(short) = %q, %q", first, rest)
	}
}

func TestSampledChunk(t *testing.T) {
	for _, f := range []float64{1, 0.5, 0.25, 0.1} {
		n := 0
		for i := range 10000 {
			if sampledChunk(i, f) {
				n++
			}
		}
		if got := float64(n) / 10000; got < f-0.001 || got > f+0.001 {
			t.Errorf("fraction %.2f sampled %.4f of the chunks", f, got)
		}
	}
}

// BenchmarkRequest measures an estimate by request size, including a
// pathological one (mixed whitespace, quadratic for the pre-tokenizer if
// it saw the run whole), with the words remembered from earlier requests
// and with none (cold).
//
//	go test -run '^$' -bench BenchmarkRequest -benchmem ./plugins/tokenize
func BenchmarkRequest(b *testing.B) {
	prose := "The quick brown fox jumps over the lazy dog; 東京は日本の首都です. func main() { fmt.Println(42) }\n"
	for _, tc := range []struct {
		name string
		text string
	}{
		{"prose/1KiB", strings.Repeat(prose, 1<<10/len(prose))},
		{"prose/16KiB", strings.Repeat(prose, 16<<10/len(prose))},
		{"prose/64KiB", strings.Repeat(prose, 64<<10/len(prose))},
		{"prose/1MiB", strings.Repeat(prose, 1<<20/len(prose))},
		{"whitespace/1MiB", strings.Repeat(" \n", 1<<19)},
	} {
		body := []byte(fmt.Sprintf(`{"messages":[{"role":"user","content":%q}]}`, tc.text))
		vocabularies[O200kBase]()
		for _, cold := range []bool{false, true} {
			name := tc.name
			if cold {
				name += "/cold" // no word remembered: every chunk is encoded
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(tc.text)))
				for b.Loop() {
					if cold {
						clear(words[O200kBase].counts)
					}
					if _, err := Request(O200kBase, "chat/completions", body); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
