package tokenize

import (
	"strings"
	"sync"
)

// Encoding names how text becomes tokens: one of OpenAI's vocabularies, or
// the [Approximate] rule.
type Encoding string

// Encodings.
const (
	// Approximate counts one token per four bytes of text, rounded up.
	Approximate Encoding = "approximate"
	// O200kBase is the vocabulary of GPT-4o, GPT-4.1, GPT-4.5, GPT-5 and
	// the o-series.
	O200kBase Encoding = "o200k_base"
	// Cl100kBase is the vocabulary of GPT-4, GPT-3.5 and OpenAI's
	// embedding models.
	Cl100kBase Encoding = "cl100k_base"
)

// modelPrefixes map model name prefixes to their vocabulary, longest
// prefixes first where one extends another ("gpt-4o" before "gpt-4").
var modelPrefixes = []struct {
	prefix string
	enc    Encoding
}{
	{"gpt-4o", O200kBase},
	{"chatgpt-4o", O200kBase},
	{"gpt-4.1", O200kBase},
	{"gpt-4.5", O200kBase},
	{"gpt-5", O200kBase},
	{"gpt-oss", O200kBase},
	{"o1", O200kBase},
	{"o3", O200kBase},
	{"o4", O200kBase},
	{"gpt-4", Cl100kBase},
	{"gpt-3.5", Cl100kBase},
	{"gpt-35", Cl100kBase}, // Azure's spelling
	{"text-embedding-3", Cl100kBase},
	{"text-embedding-ada-002", Cl100kBase},
}

// ForModel returns the encoding of an OpenAI model, or [Approximate] for
// any other. A provider prefix ("openai/gpt-4o", as OpenRouter names it)
// and a fine-tune's "ft:" are ignored. The o-series match as "o1", "o3",
// "o4" or one of those followed by "-".
func ForModel(model string) Encoding {
	model = strings.TrimPrefix(strings.ToLower(model), "openai/")
	model = strings.TrimPrefix(model, "ft:")
	for _, p := range modelPrefixes {
		rest, ok := strings.CutPrefix(model, p.prefix)
		if !ok {
			continue
		}
		if p.prefix[0] == 'o' && rest != "" && rest[0] != '-' {
			continue // "o1x", "o3pro": not the o-series
		}
		return p.enc
	}
	return Approximate
}

// vocabularies loads each encoding's vocabulary once per process.
var vocabularies = map[Encoding]func() *vocabulary{
	O200kBase:  sync.OnceValue(func() *vocabulary { return newVocabulary(o200kBaseTokens, o200kBaseSplit) }),
	Cl100kBase: sync.OnceValue(func() *vocabulary { return newVocabulary(cl100kBaseTokens, cl100kBaseSplit) }),
}

// Warm loads the vocabularies of encs in the background, so the first
// request that needs one does not wait for it (see the package doc's cold
// start). [Approximate] and unknown encodings need nothing.
func Warm(encs ...Encoding) {
	for _, e := range encs {
		if load, ok := vocabularies[e]; ok {
			go load()
		}
	}
}
