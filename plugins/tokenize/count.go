package tokenize

import (
	"math"
	"unicode"
	"unicode/utf8"
)

// ExactBytes is how much of a request's text is tokenized exactly; a
// longer request's count is extrapolated from an evenly spread sample of
// this size.
const ExactBytes = 64 << 10

// chunkBytes is the size of the pieces text is tokenized in; a text with
// no place to cut them exactly (a run of white space, base64) is cut every
// forcedCutBytes, which bounds the pre-tokenizer's quadratic cost on such
// runs.
const (
	chunkBytes     = 1 << 10
	forcedCutBytes = chunkBytes / 4
)

// counter sums a request's tokens: framing as given, text by its encoding.
// It keeps the texts and counts them at the end, so that a long request is
// sampled evenly rather than by its beginning.
type counter struct {
	enc   Encoding
	fixed int64
	texts []string
	bytes int
}

// add counts n tokens of framing.
func (c *counter) add(n int64) { c.fixed += n }

// text counts the tokens of s.
func (c *counter) text(s string) {
	if s != "" {
		c.texts = append(c.texts, s)
		c.bytes += len(s)
	}
}

// total returns the framing plus the texts' tokens.
func (c *counter) total() int64 {
	load, exact := vocabularies[c.enc]
	if !exact {
		var n int64
		for _, s := range c.texts {
			n += approximate(s)
		}
		return c.fixed + n
	}
	tok, known := load(), words[c.enc]
	// Sample a fraction of the chunks: all of them up to ExactBytes.
	fraction := min(1, float64(ExactBytes)/float64(c.bytes))
	var tokens, sampled, seen int
	for _, s := range c.texts {
		for s != "" {
			var chunk string
			chunk, s = cut(s)
			if sampledChunk(seen, fraction) {
				tokens += known.count(tok, chunk)
				sampled += len(chunk)
			}
			seen++
		}
	}
	if sampled == c.bytes {
		return c.fixed + int64(tokens)
	}
	return c.fixed + int64((float64(tokens)*float64(c.bytes))/float64(sampled)+0.5)
}

// sampledChunk reports whether chunk i is in a sample of the given
// fraction. The choice follows a Weyl sequence (i times the golden ratio,
// modulo 1): evenly spread, deterministic, and free of aliasing with any
// period in the text, as a repeated document would cause every-k-th
// sampling.
func sampledChunk(i int, fraction float64) bool {
	const phi = 0.6180339887498949
	_, frac := math.Modf(float64(i) * phi)
	return frac < fraction
}

// approximate is [Approximate]'s count of s.
func approximate(s string) int64 { return (int64(len(s)) + 3) / 4 }

// cut splits s into a first chunk of at most about [chunkBytes] and the
// rest. It cuts before a space that follows and precedes other characters
// (" word"): tiktoken's pre-tokenizer always starts a piece there, so
// counting the chunks separately gives the count of the whole. Without
// such a space in reach it cuts at a character boundary after
// [forcedCutBytes].
func cut(s string) (string, string) {
	if len(s) <= chunkBytes {
		return s, ""
	}
	for i := chunkBytes; i > chunkBytes/4; i-- {
		if s[i] == ' ' && notSpaceAfter(s[i+1:]) && notSpaceBefore(s[:i]) {
			return s[:i], s[i:]
		}
	}
	i := forcedCutBytes
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i], s[i:]
}

// notSpaceBefore reports whether s ends with a character that is not
// white space.
func notSpaceBefore(s string) bool {
	r, n := utf8.DecodeLastRuneInString(s)
	return n > 0 && !unicode.IsSpace(r)
}

// notSpaceAfter reports whether s begins with a character that is not
// white space.
func notSpaceAfter(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return n > 0 && !unicode.IsSpace(r)
}
