package tokenize

import (
	_ "embed"
	"math/bits"
	"math/rand/v2"

	"github.com/dlclark/regexp2/v2"
	// The codec package's init registers regexp2cg-generated matchers for
	// exactly the split patterns below (regexp2.RegisterEngine in its
	// regexp.gen.go), which regexp2.MustCompile then returns instead of
	// its interpreter: 1.25 times as fast here (BenchmarkSplit). Its
	// vocabularies are map literals built by functions only its
	// constructors reach, which this package never calls: no memory, and
	// the linker drops them (the import adds 38 KB to the proxy binary).
	_ "github.com/tiktoken-go/tokenizer/codec"
)

//go:generate go run ./internal/genvocab

// The vocabularies' tokens in rank order, each as a length byte and its
// bytes (a length of 0 is a rank with no token), generated from
// tiktoken-go's codecs by internal/genvocab. Embedded as strings, they
// stay in the binary's read-only pages.
var (
	//go:embed vocab/o200k_base.bin
	o200kBaseTokens string
	//go:embed vocab/cl100k_base.bin
	cl100kBaseTokens string
)

// OpenAI's pre-tokenizer patterns, as tiktoken-go compiles them. They must
// stay byte for byte the same for the codec's generated matchers to be used.
const (
	o200kBaseSplit  = `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	cl100kBaseSplit = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
)

// A token's key is the offset of its entry (length byte) in the
// generated tokens. Entries are in rank order, so keys compare as ranks
// do, which is all byte-pair merging needs, and a key finds the token's
// bytes without a table of offsets (1.2 MB less heap for both
// vocabularies, one memory access less a lookup).
//
// A hash table slot holds a token's key+1 in its low keyBits (0: an empty
// slot) and the top tagBits of the token's hash, which rejects most other
// strings without comparing bytes.
const (
	keyBits = 21
	tagBits = 32 - keyBits
	keyMask = 1<<keyBits - 1
)

// noKey is the key of a string that is not a token; it compares above
// every token's.
const noKey = ^uint32(0)

// vocabulary is one of OpenAI's byte-pair encodings: its tokens, a hash
// table from token to key, and its pre-tokenizer. It is read-only once
// built, so safe for concurrent use.
type vocabulary struct {
	tokens   string   // as generated: a length byte, then the bytes, by rank
	table    []uint32 // open addressing, linear probing: see keyBits
	mask     uint64   // len(table)-1
	maxLen   int      // the longest token's bytes
	seed     uint64
	splitter *regexp2.Regexp
}

// newVocabulary indexes tokens, a generated vocabulary, and compiles its
// split pattern.
func newVocabulary(tokens, split string) *vocabulary {
	if len(tokens) > keyMask {
		panic("tokenize: a vocabulary too large for a hash table slot")
	}
	present := 0
	for i := 0; i < len(tokens); i += 1 + int(tokens[i]) {
		if tokens[i] != 0 {
			present++
		}
	}
	size := 1
	for size < 2*present {
		size <<= 1
	}
	v := &vocabulary{
		tokens:   tokens,
		table:    make([]uint32, size),
		mask:     uint64(size - 1),
		seed:     rand.Uint64(),
		splitter: regexp2.MustCompile(split, regexp2.None),
	}
	for i := 0; i < len(tokens); i += 1 + int(tokens[i]) {
		n := int(tokens[i])
		if n == 0 {
			continue // a rank with no token
		}
		v.maxLen = max(v.maxLen, n)
		h := v.hash(tokens[i+1 : i+1+n])
		j := h & v.mask
		for v.table[j] != 0 {
			j = (j + 1) & v.mask
		}
		v.table[j] = uint32(i) + 1 | uint32(h>>(64-tagBits))<<keyBits
	}
	return v
}

// token returns the bytes of the token with key k.
func (v *vocabulary) token(k uint32) string {
	return v.tokens[k+1 : k+1+uint32(v.tokens[k])]
}

// key returns the key of token s, or noKey if s is not a token.
func (v *vocabulary) key(s string) uint32 {
	if len(s) > v.maxLen || s == "" {
		return noKey
	}
	h := v.hash(s)
	tag := uint32(h >> (64 - tagBits))
	for j := h & v.mask; ; j = (j + 1) & v.mask {
		slot := v.table[j]
		if slot == 0 {
			return noKey
		}
		if slot>>keyBits == tag {
			if k := slot&keyMask - 1; v.token(k) == s {
				return k
			}
		}
	}
}

// hash returns a hash of s, not empty, mixing it a word at a time with
// 128-bit multiplications (as wyhash does): inlined, about twice as fast
// as hash/maphash on tokens. The table is built once from known tokens,
// so no input can lengthen its probe sequences: the seed only keeps a
// process's layout its own.
func (v *vocabulary) hash(s string) uint64 {
	const (
		m1 = 0xa0761d6478bd642f
		m2 = 0xe7037ed1a0b428db
		m3 = 0x8ebc6af09c88c6e3
	)
	h := v.seed ^ uint64(len(s))*m1
	for len(s) > 8 {
		h = mix(h^le64(s), m2)
		s = s[8:]
	}
	// The last 1 to 8 bytes, read whole: with the length, w tells them.
	var w uint64
	if n := len(s); n >= 4 {
		w = uint64(le32(s))<<32 | uint64(le32(s[n-4:]))
	} else {
		w = uint64(s[0])<<16 | uint64(s[n>>1])<<8 | uint64(s[n-1])
	}
	return mix(h^w, m3)
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func le32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}
