package tokenize

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestWordsCountAsTheTokenizer checks that counting a chunk from
// remembered words gives what the tokenizer counts for it, cold (learning)
// and warm (looking up), on the fixture's texts and on random text built
// from the pre-tokenizer's hard cases: contractions, case changes,
// combining marks, digit runs, Unicode spaces, punctuation runs.
func TestWordsCountAsTheTokenizer(t *testing.T) {
	var texts []string
	for _, p := range loadFixture(t) {
		if p.Text != "" {
			texts = append(texts, p.Text)
		}
	}
	parts := []string{"hello", "World", "HTTPServer", "naïve", "x\u0303y", "ÉCOLE", "东京", "'s", "'LL", "'re",
		"1", "12345", "3.14", "!!", "...", "a/b", "/", "\n", "\r\n", "\t", "\u00a0", "\u2003", "\u0085", "🙂",
		"   ", "--", "(", ")", "\"", "don't", "I'M", "مرحبا", "नमस्ते"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		var b strings.Builder
		for range 1 + rng.IntN(60) {
			b.WriteString(parts[rng.IntN(len(parts))])
			if rng.IntN(3) > 0 {
				b.WriteByte(' ')
			}
		}
		texts = append(texts, b.String())
	}
	for _, enc := range []Encoding{O200kBase, Cl100kBase} {
		tok := vocabularies[enc]()
		known := newWordCounts()
		for pass := range 2 { // cold, then warm
			for i, text := range texts {
				for s := text; s != ""; {
					var chunk string
					chunk, s = cut(s)
					want := tok.count(chunk)
					if got := known.count(tok, chunk); got != want {
						t.Fatalf("%s, pass %d, text %d: %d tokens from words, the tokenizer counts %d in %q", enc, pass, i, got, want, chunk)
					}
				}
			}
		}
		if len(known.counts) == 0 {
			t.Fatalf("%s: no word remembered", enc)
		}
	}
}

// TestWordsForgetWhenFull checks that the remembered words stay bounded.
func TestWordsForgetWhenFull(t *testing.T) {
	tok := vocabularies[O200kBase]()
	known := newWordCounts()
	var b strings.Builder
	for i := range maxWords + 100 {
		b.WriteString(" w")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteByte(byte('a' + i%26))
		b.WriteByte(byte('a' + i/26%26))
		b.WriteByte(byte('a' + i/676%26))
		b.WriteByte(byte('a' + i/17576%26))
		if b.Len() > 900 {
			known.count(tok, b.String())
			b.Reset()
		}
	}
	if n := len(known.counts); n == 0 || n > maxWords {
		t.Fatalf("%d words remembered, want 1..%d", n, maxWords)
	}
}
