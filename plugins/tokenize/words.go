package tokenize

import (
	"hash/maphash"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Words are what a text is cut into before every space that follows and
// precedes other characters (" word"): tiktoken's pre-tokenizer always
// starts a piece there, so a text's count is the sum of its words' (see
// [cut]). Text repeats its words, so their counts are remembered: a chunk
// whose words are all known is counted by map lookups, without running
// the pre-tokenizer's regular expression (tens of µs per KiB). Words are
// remembered by a keyed 64-bit hash, not their text, so no fragment of a
// prompt outlives its request; a new word would have to share a
// remembered word's hash (odds below 1 in 10^14) for a count to be off.
const (
	// maxWordBytes is the longest word remembered.
	maxWordBytes = 32
	// maxWords bounds a vocabulary's remembered words (about 1 MB); when
	// full, they are forgotten and learned again.
	maxWords = 1 << 15
)

// wordCounts remembers the token counts of words for one vocabulary.
type wordCounts struct {
	seed   maphash.Seed
	mu     sync.RWMutex
	counts map[uint64]int32 // by the word's hash
}

func newWordCounts() *wordCounts {
	return &wordCounts{seed: maphash.MakeSeed(), counts: map[uint64]int32{}}
}

// words holds each vocabulary's remembered words.
var words = map[Encoding]*wordCounts{
	O200kBase:  newWordCounts(),
	Cl100kBase: newWordCounts(),
}

// count returns the tokens of chunk in vocabulary tok: from the
// remembered words when all of them are known, else by encoding the chunk
// once, which also teaches the cache its words.
func (w *wordCounts) count(tok *vocabulary, chunk string) int {
	if n, ok := w.lookup(chunk); ok {
		return n
	}
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	lens := tok.encode(chunk, sc)
	w.learn(chunk, lens)
	return len(lens)
}

// lookup sums the remembered counts of chunk's words; false when one of
// them is not known.
func (w *wordCounts) lookup(chunk string) (int, bool) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	total := 0
	for rest := chunk; rest != ""; {
		var word string
		word, rest = nextWord(rest)
		if len(word) > maxWordBytes {
			return 0, false // never remembered
		}
		n, ok := w.counts[maphash.String(w.seed, word)]
		if !ok {
			return 0, false
		}
		total += int(n)
	}
	return total, true
}

// learn remembers the counts of chunk's words from the byte lengths of its
// tokens, which never straddle two words. A chunk whose tokens do not add
// up to its words teaches nothing.
func (w *wordCounts) learn(chunk string, lens []int32) {
	type wordCount struct {
		hash uint64
		n    int32
	}
	var learned []wordCount
	rest, t := chunk, 0
	for rest != "" {
		var word string
		word, rest = nextWord(rest)
		n, size := int32(0), 0
		for size < len(word) && t < len(lens) {
			size += int(lens[t])
			n++
			t++
		}
		if size != len(word) {
			return
		}
		if len(word) <= maxWordBytes {
			learned = append(learned, wordCount{maphash.String(w.seed, word), n})
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.counts)+len(learned) > maxWords {
		clear(w.counts)
	}
	for _, wc := range learned {
		w.counts[wc.hash] = wc.n
	}
}

// nextWord splits s before its first space, past its first byte, that
// follows and precedes other characters.
func nextWord(s string) (word, rest string) {
	for i := 1; i < len(s)-1; i++ {
		if s[i] == ' ' && notSpaceAt(s, i+1) && (s[i-1] < utf8.RuneSelf && !asciiSpace(s[i-1]) || notSpaceBefore(s[:i])) {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// notSpaceAt reports whether s has a character at i that is not white
// space; ASCII is decided without decoding.
func notSpaceAt(s string, i int) bool {
	if c := s[i]; c < utf8.RuneSelf {
		return !asciiSpace(c)
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !unicode.IsSpace(r)
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
