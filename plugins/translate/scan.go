package translate

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// MaxDepth is how deeply arrays and objects may nest in a JSON document
// the package reads, as serde_json's default recursion limit: far beyond
// any request or answer of an LLM API, and little stack for gjson, whose
// validation recurses once per level.
const MaxDepth = 128

// Errors of [CheckObject]; [Valid] and [IsObject] report them as false.
var (
	// ErrNotObject is a document that is not one valid JSON object.
	ErrNotObject = errors.New("translate: not a JSON object")
	// ErrTooDeep is a document nesting arrays and objects deeper than
	// [MaxDepth].
	ErrTooDeep = fmt.Errorf("translate: arrays and objects nested deeper than %d levels", MaxDepth)
)

// DuplicateKeyError is returned by [CheckObject] for an object with a
// top-level key twice. Keys are compared after unescaping, ignoring case
// as Go's encoding/json matches them to fields (Unicode simple folding,
// so "MODEL" and "model" are one key): providers keep the last of two,
// the router would read the first.
type DuplicateKeyError struct {
	// Key is the second occurrence, unescaped; First the first one.
	Key, First string
}

// Error returns `translate: duplicate key "…"`.
func (e *DuplicateKeyError) Error() string {
	if e.Key == e.First {
		return "translate: duplicate key " + quoteKey(e.Key)
	}
	return "translate: duplicate key " + quoteKey(e.Key) + " (the same as " + quoteKey(e.First) + ", ignoring case)"
}

// quoteKey quotes a key for a message, cut to 64 bytes.
func quoteKey(k string) string {
	if len(k) > 64 {
		k = k[:64] + "…"
	}
	return strconv.Quote(k)
}

// CheckObject checks that b is one valid JSON object, nested at most
// [MaxDepth] deep, without a top-level key twice. It walks b once without
// recursing before gjson validates it, so no depth of nesting can exhaust
// the stack. It returns [ErrNotObject], [ErrTooDeep] or a
// [*DuplicateKeyError].
func CheckObject(b []byte) error {
	if !startsObject(b) {
		return ErrNotObject
	}
	keys := keySet{b: b}
	if err := scan(b, &keys); err != nil {
		return err
	}
	if !gjson.ValidBytes(b) {
		return ErrNotObject
	}
	if d, f := keys.dup, keys.first; d != (span{}) {
		return &DuplicateKeyError{Key: unescape(b[d.start:d.end]), First: unescape(b[f.start:f.end])}
	}
	return nil
}

// Valid reports whether b is one valid JSON value nested at most
// [MaxDepth] deep: gjson.ValidBytes, which recurses once per level,
// guarded by a walk that does not.
func Valid(b []byte) bool {
	return scan(b, nil) == nil && gjson.ValidBytes(b)
}

// startsObject reports whether b's first byte other than white space
// opens an object.
func startsObject(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c == '{'
	}
	return false
}

// scan walks b once, without recursion: it fails when arrays and objects
// nest deeper than [MaxDepth] and, with keys set, collects the keys of the
// top-level object. It tracks strings (and their escapes) only; gjson
// checks the rest of the grammar.
func scan(b []byte, keys *keySet) error {
	depth := 0
	key := false // at depth 1 of an object, the next string is a key
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			end := stringEnd(b, i+1)
			if key && keys != nil {
				keys.add(span{i + 1, end})
			}
			key, i = false, end
		case '{', '[':
			if depth++; depth > MaxDepth {
				return ErrTooDeep
			}
			key = depth == 1 && b[i] == '{'
		case '}', ']':
			depth--
			key = false
		case ',':
			key = depth == 1
		}
	}
	return nil
}

// stringEnd returns the index of the quote that ends the string whose
// text starts at b[i], or len(b) if none does.
func stringEnd(b []byte, i int) int {
	start := i
	for {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return len(b)
		}
		j += i
		k := j
		for k > start && b[k-1] == '\\' {
			k--
		}
		if (j-k)%2 == 0 { // not escaped
			return j
		}
		i = j + 1
	}
}

// keySet collects an object's keys and remembers the first one seen
// twice. It keeps the first keys as offsets into the document and compares
// them rune by rune, so a body of a few keys costs no allocation; past
// linearKeys it indexes them, folded.
type keySet struct {
	b     []byte
	spans [linearKeys]span
	n     int
	index map[string]span // every key, folded, once there are many
	// dup is the first key seen twice (the zero span: none yet); first
	// its first occurrence.
	dup, first span
}

// span is a key's text in the document: b[start:end].
type span struct{ start, end int }

// linearKeys is how many keys a keySet compares one by one before it
// indexes them.
const linearKeys = 32

func (s *keySet) add(k span) {
	if s.dup != (span{}) {
		return
	}
	if s.n < linearKeys {
		for _, o := range s.spans[:s.n] {
			if foldEqual(s.b[o.start:o.end], s.b[k.start:k.end]) {
				s.dup, s.first = k, o
				return
			}
		}
		s.spans[s.n] = k
		s.n++
		return
	}
	if s.index == nil {
		s.index = make(map[string]span, 2*linearKeys)
		for _, o := range s.spans {
			s.index[string(appendFolded(nil, s.b[o.start:o.end]))] = o
		}
	}
	f := string(appendFolded(nil, s.b[k.start:k.end]))
	if o, ok := s.index[f]; ok {
		s.dup, s.first = k, o
		return
	}
	s.index[f] = k
}

// foldEqual reports whether the JSON string texts a and b are one key,
// unescaped and folded.
func foldEqual(a, b []byte) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		var ra, rb rune
		ra, i = nextRune(a, i)
		rb, j = nextRune(b, j)
		if ra != rb && foldRune(ra) != foldRune(rb) {
			return false
		}
	}
	return i == len(a) && j == len(b)
}

// appendFolded appends the JSON string text raw unescaped and folded: two
// keys fold alike if Go's encoding/json would match them to one field.
func appendFolded(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		var r rune
		r, i = nextRune(raw, i)
		dst = utf8.AppendRune(dst, foldRune(r))
	}
	return dst
}

// unescape returns the JSON string text raw unescaped.
func unescape(raw []byte) string {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		var r rune
		r, i = nextRune(raw, i)
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}

// nextRune decodes the rune of the JSON string text raw at i, as
// encoding/json reads it (an invalid UTF-8 byte or a lone surrogate is
// U+FFFD), and returns the index after it. A malformed escape is read as
// written: the document is invalid anyway.
func nextRune(raw []byte, i int) (rune, int) {
	switch c := raw[i]; {
	case c == '\\' && i+1 < len(raw):
		return unescapeAt(raw, i)
	case c < utf8.RuneSelf:
		return rune(c), i + 1
	}
	r, n := utf8.DecodeRune(raw[i:])
	return r, i + n
}

// unescapeAt decodes the escape at raw[i] (a backslash) and returns the
// rune and the index after it.
func unescapeAt(raw []byte, i int) (rune, int) {
	switch raw[i+1] {
	case '"', '\\', '/':
		return rune(raw[i+1]), i + 2
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
		r, ok := hex4(raw, i+2)
		if !ok {
			break
		}
		if utf16.IsSurrogate(r) {
			if lo, ok := hex4(raw, i+8); ok && raw[i+6] == '\\' && raw[i+7] == 'u' {
				if rr := utf16.DecodeRune(r, lo); rr != utf8.RuneError {
					return rr, i + 12
				}
			}
			return utf8.RuneError, i + 6
		}
		return r, i + 6
	}
	return '\\', i + 1
}

// hex4 reads four hex digits at raw[i].
func hex4(raw []byte, i int) (rune, bool) {
	if i+4 > len(raw) {
		return 0, false
	}
	var r rune
	for _, c := range raw[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// foldRune returns the smallest rune of r's case-folding orbit, as
// encoding/json's does: "k", "K" and the Kelvin sign fold alike.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf { // an upper-case letter is the smallest of its orbit
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
