package tokenize

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dlclark/regexp2/v2"
	"github.com/tiktoken-go/tokenizer/codec"
)

// count returns the number of text's tokens.
func (v *vocabulary) count(text string) int { return len(v.encode(text, new(scratch))) }

// codecs are tiktoken-go's own encoders, the reference: built once, as
// each builds a 10 MB map.
var codecs = map[Encoding]func() *codec.Codec{
	O200kBase:  sync.OnceValue(codec.NewO200kBase),
	Cl100kBase: sync.OnceValue(codec.NewCl100kBase),
}

// codecLens returns the byte length of each token tiktoken-go encodes
// text into.
func codecLens(c *codec.Codec, text string) []int32 {
	_, tokens, err := c.Encode(text)
	if err != nil {
		panic(err)
	}
	lens := make([]int32, len(tokens))
	for i, t := range tokens {
		lens[i] = int32(len(t))
	}
	return lens
}

// randomText returns a text built from the pre-tokenizer's and the
// merges' hard cases: words of every case, contractions, digit runs,
// punctuation, runs of mixed white space, accents, CJK, emoji, Hindi,
// invalid UTF-8, and long runs of one letter, of random letters and of
// punctuation (pieces long enough to merge with the heap).
func randomText(rng *rand.Rand) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	parts := []string{"the", "The", "THE", "Hello", "tokenizer", "HTTPServer", "naïve", "café", "ÉCOLE", "straße",
		"'s", "'t", "'re", "'VE", "'m", "'ll", "'D", "don't", "I'M", "42", "3.14159", "1234567", "0x1F",
		".", ",", "!", "?", "...", "--", "==", "/", "//", "(", ")", "{", "}", "\"", "`", "<|endoftext|>", "<|fim_prefix|>",
		" ", "  ", "   ", "\n", "\n\n", "\r\n", "\t", "\t\t", " \n ", "\u00a0", "\u2003", "\u3000", "\u0085",
		"东京", "日本語のテキスト", "한국어", "🙂", "👍🏽", "🇫🇷", "नमस्ते", "हिन्दी", "مرحبا", "Привет", "x\u0303y",
		"\xff", "\xc3", "\x80\x80", "\xe2\x82", "\xf0\x9f\x99",
	}
	var b strings.Builder
	for range 1 + rng.IntN(80) {
		switch rng.IntN(40) {
		case 0: // a long run of one letter
			b.WriteString(strings.Repeat(string(letters[rng.IntN(len(letters))]), 100+rng.IntN(1001)))
		case 1: // a long run of random letters: a long piece with varied merges
			for range 100 + rng.IntN(1001) {
				b.WriteByte(letters[rng.IntN(26)])
			}
		case 2: // a long run of punctuation or of one CJK character
			run := []string{"=", "-", "*", "#", ".", "东", "é"}[rng.IntN(7)]
			b.WriteString(strings.Repeat(run, 20+rng.IntN(300)))
		case 3: // a run of mixed white space
			for range 1 + rng.IntN(40) {
				b.WriteString([]string{" ", "\t", "\n", "\r\n", "\u00a0"}[rng.IntN(5)])
			}
		case 4: // a random word
			for range 1 + rng.IntN(12) {
				b.WriteByte(letters[rng.IntN(len(letters))])
			}
		case 5: // random bytes
			for range 1 + rng.IntN(8) {
				b.WriteByte(byte(rng.IntN(256)))
			}
		default:
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		if rng.IntN(3) > 0 {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// TestEncodeAsCodec checks that the vocabularies encode as tiktoken-go
// does, token for token (by length): the fixture's prompts and thousands
// of random texts.
func TestEncodeAsCodec(t *testing.T) {
	var texts []string
	for _, p := range loadFixture(t) {
		texts = append(texts, p.Text, string(p.Body))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	n := 3000
	if testing.Short() || raceEnabled {
		n = 300
	}
	for range n {
		texts = append(texts, randomText(rng))
	}
	heapPieces := 0
	for _, enc := range []Encoding{O200kBase, Cl100kBase} {
		v, c := vocabularies[enc](), codecs[enc]()
		sc := new(scratch)
		for i, text := range texts {
			got, want := v.encode(text, sc), codecLens(c, text)
			if !slices.Equal(got, want) {
				t.Fatalf("%s, text %d (%.80q…): %d tokens of lengths %v, tiktoken-go %d of %v", enc, i, text, len(got), got, len(want), want)
			}
			pieces := v.split(text, sc)
			for j := 0; j < len(pieces); j += 2 {
				if piece := text[pieces[j]:pieces[j+1]]; len(piece) >= heapMergeBytes && v.key(piece) == noKey {
					heapPieces++
				}
			}
		}
	}
	if heapPieces < 100 {
		t.Errorf("only %d pieces merged with the heap", heapPieces)
	}
	t.Logf("%d texts, %d pieces merged with the heap", len(texts), heapPieces)
}

// TestEncodeConcurrently counts the fixture's texts from several
// goroutines at once, sharing the vocabulary and the pooled scratch (run
// with -race).
func TestEncodeConcurrently(t *testing.T) {
	var texts []string
	for _, p := range loadFixture(t) {
		texts = append(texts, p.Text)
	}
	v := vocabularies[O200kBase]()
	count := func(known *wordCounts, text string) (n int) {
		for s := text; s != ""; {
			var chunk string
			chunk, s = cut(s)
			n += known.count(v, chunk)
		}
		return n
	}
	want := make([]int, len(texts))
	for i, text := range texts {
		want[i] = count(newWordCounts(), text)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			known := newWordCounts()
			for i := range texts {
				i = (i + 7*g) % len(texts)
				if got := count(known, texts[i]); got != want[i] {
					t.Errorf("goroutine %d, text %d: %d tokens, want %d", g, i, got, want[i])
				}
			}
		})
	}
	wg.Wait()
}

// TestMergesAgree checks that the heap merges pieces as the scan does,
// below the threshold where the encoder switches.
func TestMergesAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	sc := new(scratch)
	for _, enc := range []Encoding{O200kBase, Cl100kBase} {
		v := vocabularies[enc]()
		for range 2000 {
			text := randomText(rng)
			pieces := v.split(text, sc)
			for j := 0; j < len(pieces); j += 2 {
				piece := text[pieces[j]:pieces[j+1]]
				if len(piece) >= heapMergeBytes {
					continue
				}
				scan := v.mergeScan(nil, piece)
				heap := v.mergeHeap(nil, piece, sc)
				if !slices.Equal(scan, heap) {
					t.Fatalf("%s: %q merges to %v by scan, %v by heap", enc, piece, scan, heap)
				}
			}
		}
	}
}

// keys returns the key of each rank's token (noKey for a rank with none).
func (v *vocabulary) keys() []uint32 {
	var keys []uint32
	for i := 0; i < len(v.tokens); i += 1 + int(v.tokens[i]) {
		keys = append(keys, uint32(i))
		if v.tokens[i] == 0 {
			keys[len(keys)-1] = noKey
		}
	}
	return keys
}

// TestVocabularyKeys checks that every token maps back to its key, that
// keys are ordered as tiktoken-go's ranks, and that strings that are no
// token have no key.
func TestVocabularyKeys(t *testing.T) {
	for _, enc := range []Encoding{O200kBase, Cl100kBase} {
		v, c := vocabularies[enc](), codecs[enc]()
		keys := v.keys()
		tokens := 0
		for r, k := range keys {
			if k == noKey {
				continue
			}
			tokens++
			tok := v.token(k)
			if got := v.key(tok); got != k {
				t.Fatalf("%s: key(%q), rank %d, = %d, want %d", enc, tok, r, got, k)
			}
			if r > 0 && keys[r-1] >= k {
				t.Fatalf("%s: rank %d has key %d, rank %d %d", enc, r-1, keys[r-1], r, k)
			}
			if r%1000 == 0 { // the codec decodes a token at a time slowly
				if want, err := c.Decode([]uint{uint(r)}); err != nil || tok != want {
					t.Fatalf("%s: rank %d is %q, tiktoken-go's %q (%v)", enc, r, tok, want, err)
				}
			}
		}
		if want := map[Encoding]int{O200kBase: 199998, Cl100kBase: 100256}[enc]; tokens != want {
			t.Errorf("%s: %d tokens, want %d", enc, tokens, want)
		}
		for _, s := range []string{"", "<|endoftext|>", strings.Repeat("a", 300), "\xff\xfe\xfd\xfc", "zqxjzqxj"} {
			if k := v.key(s); k != noKey {
				t.Errorf("%s: key(%q) = %d, want none", enc, s, k)
			}
		}
		for _, s := range []string{"hello", " world", "\n", "\xff"} {
			ids, _, _ := c.Encode(s)
			if k := v.key(s); len(ids) != 1 || k == noKey || keys[ids[0]] != k {
				t.Errorf("%s: key(%q) = %d, tiktoken-go's rank %v", enc, s, k, ids)
			}
		}
	}
}

// TestSplitterIsGenerated checks that the pre-tokenizer runs the
// regexp2cg-generated matcher tiktoken-go registers for its pattern (a
// Regexp from a registered engine has no interpreter code), not regexp2's
// interpreter (BenchmarkSplit measures the difference).
func TestSplitterIsGenerated(t *testing.T) {
	for _, enc := range []Encoding{O200kBase, Cl100kBase} {
		code := reflect.ValueOf(vocabularies[enc]().splitter).Elem().FieldByName("code")
		if !code.IsValid() {
			t.Fatalf("regexp2.Regexp has no field code any more: check how it tells a registered engine")
		}
		if !code.IsNil() {
			t.Errorf("%s: the split pattern runs in regexp2's interpreter, not tiktoken-go's generated matcher", enc)
		}
	}
	interpreted := regexp2.MustCompile(o200kBaseSplit+"|x", regexp2.None)
	if reflect.ValueOf(interpreted).Elem().FieldByName("code").IsNil() {
		t.Error("an unregistered pattern has no interpreter code: the check above tells nothing")
	}
}

// TestVocabularyHeap loads both vocabularies in a fresh process and
// checks how much live heap they take (tiktoken-go's codecs took 10.5 MB).
func TestVocabularyHeap(t *testing.T) {
	const limit = 4 << 20
	if os.Getenv("TOKENIZE_HEAP") != "" {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		o, cl := vocabularies[O200kBase](), vocabularies[Cl100kBase]()
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(o)
		runtime.KeepAlive(cl)
		grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
		t.Logf("live heap of both vocabularies: %.2f MB", float64(grew)/1e6)
		if grew > limit {
			t.Errorf("the vocabularies take %d bytes of heap, more than %d", grew, limit)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestVocabularyHeap$", "-test.v")
	cmd.Env = append(os.Environ(), "TOKENIZE_HEAP=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// fixtureText is every text prompt of the fixture, joined.
func fixtureText(b *testing.B) string {
	var texts []string
	for _, p := range loadFixture(b) {
		if p.Kind == "text" {
			texts = append(texts, p.Text)
		}
	}
	if len(texts) == 0 {
		b.Fatal("no text in the fixture")
	}
	return strings.Join(texts, "\n\n")
}

// BenchmarkEncode compares the encoder with tiktoken-go's on the
// fixture's texts.
//
//	go test -run '^$' -bench BenchmarkEncode ./plugins/tokenize
func BenchmarkEncode(b *testing.B) {
	text := fixtureText(b)
	for _, enc := range []Encoding{O200kBase, Cl100kBase} {
		v, c := vocabularies[enc](), codecs[enc]()
		b.Run(fmt.Sprintf("%s/ours", enc), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			sc := new(scratch)
			for b.Loop() {
				v.encode(text, sc)
			}
		})
		b.Run(fmt.Sprintf("%s/codec.Encode", enc), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				c.Encode(text)
			}
		})
	}
}

// BenchmarkSplit measures the pre-tokenizer alone: with the generated
// matcher and with regexp2's interpreter on the same pattern, and the
// generated matcher run as tiktoken-go's codec runs it (a Match object a
// piece).
func BenchmarkSplit(b *testing.B) {
	text := fixtureText(b)
	v := vocabularies[O200kBase]()
	interpreted := *v
	re, err := regexp2.Compile(o200kBaseSplit, regexp2.None) // Compile ignores registered engines
	if err != nil {
		b.Fatal(err)
	}
	interpreted.splitter = re
	for _, tc := range []struct {
		name string
		v    *vocabulary
	}{{"generated", v}, {"interpreted", &interpreted}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			sc := new(scratch)
			for b.Loop() {
				tc.v.split(text, sc)
			}
		})
	}
	b.Run("generated/as-codec", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			m, err := v.splitter.FindStringMatch(text)
			for m != nil && err == nil {
				_ = m.String()
				m, err = v.splitter.FindNextMatch(m)
			}
		}
	})
}
