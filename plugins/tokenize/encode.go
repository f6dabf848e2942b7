package tokenize

import (
	"slices"
	"sync"

	"github.com/dlclark/regexp2/v2"
)

// Byte-pair encoding as tiktoken does it: the pre-tokenizer splits text
// into pieces; a piece that is a token is one, any other starts as its
// bytes and repeatedly merges the adjacent pair whose concatenation has
// the lowest rank, the leftmost on ties, until no pair is a token.

// heapMergeBytes is the piece length from which merging uses a heap
// (O(n log n)) rather than scanning for the lowest pair (O(n²)); shorter
// pieces merge in arrays on the stack. Hash lookups dominate both: they
// cost about the same up to 28 bytes, and from 64 the heap is 1.2 to 2.5
// times as fast (a letter repeated, random letters, CJK text).
const heapMergeBytes = 32

// scratch is one encoding's working memory, reused across calls.
type scratch struct {
	lens   []int32 // the tokens' byte lengths
	runes  []rune
	at     []int32 // byte offset of each rune, then the text's length
	pieces []int32 // byte start and end of each piece
	nodes  []mergeNode
	heap   mergeHeap
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// encode returns the byte length of each of text's tokens, in sc.
func (v *vocabulary) encode(text string, sc *scratch) []int32 {
	lens := sc.lens[:0]
	pieces := v.split(text, sc)
	for i := 0; i < len(pieces); i += 2 {
		piece := text[pieces[i]:pieces[i+1]]
		switch {
		case v.key(piece) != noKey:
			lens = append(lens, int32(len(piece)))
		case len(piece) < heapMergeBytes:
			lens = v.mergeScan(lens, piece)
		default:
			lens = v.mergeHeap(lens, piece, sc)
		}
	}
	sc.lens = lens
	return lens
}

// split runs the pre-tokenizer on text and returns the byte start and end
// of each piece, in sc. The regular expression runs on runes, each invalid
// UTF-8 byte one U+FFFD, as for a string given to regexp2.
func (v *vocabulary) split(text string, sc *scratch) []int32 {
	runes, at := sc.runes[:0], sc.at[:0]
	for i, r := range text {
		runes = append(runes, r)
		at = append(at, int32(i))
	}
	at = append(at, int32(len(text)))
	pieces := sc.pieces[:0]
	// Its only error is a match timeout, and none is set.
	_ = v.splitter.FindRunesMatches(runes, 0, func(m regexp2.MatchView) bool {
		i, n, _ := m.GroupRange(0)
		pieces = append(pieces, at[i], at[i+n])
		return true
	})
	sc.runes, sc.at, sc.pieces = runes, at, pieces
	return pieces
}

// mergeScan appends the lengths of the tokens piece (shorter than
// heapMergeBytes, not a token itself) merges into, finding each merge by
// a scan.
func (v *vocabulary) mergeScan(dst []int32, piece string) []int32 {
	var (
		starts [heapMergeBytes + 1]uint16 // each part's start, then len(piece)
		keys   [heapMergeBytes]uint32     // keys[i]: parts i and i+1 joined (see vocabulary.key)
	)
	n := len(piece) // parts
	for i := 0; i <= n; i++ {
		starts[i] = uint16(i)
	}
	for i := 0; i+1 < n; i++ {
		keys[i] = v.key(piece[i : i+2])
	}
	for n > 1 {
		best, at := noKey, 0
		for i, k := range keys[:n-1] {
			if k < best {
				best, at = k, i
			}
		}
		if best == noKey {
			break
		}
		// Part at+1 joins part at.
		copy(starts[at+1:], starts[at+2:n+1])
		if at+2 < n {
			copy(keys[at+1:], keys[at+2:n-1])
		}
		n--
		if at+1 < n {
			keys[at] = v.key(piece[starts[at]:starts[at+2]])
		}
		if at > 0 {
			keys[at-1] = v.key(piece[starts[at-1]:starts[at+1]])
		}
	}
	for i := range n {
		dst = append(dst, int32(starts[i+1]-starts[i]))
	}
	return dst
}

// mergeNode is a byte of a piece in mergeHeap's list of parts: a part
// starts at each node still linked. key is that of the part joined with
// the next one (noKey if that is not a token, or the node was merged
// away).
type mergeNode struct {
	prev, next int32
	key        uint32
}

// mergeHeap appends the lengths of the tokens piece (not a token itself)
// merges into, as mergeScan does, finding each merge in a min-heap of
// candidates ordered by key (as by rank) then offset. A merge changes the keys of two
// parts; their old entries stay in the heap and are skipped when popped.
func (v *vocabulary) mergeHeap(dst []int32, piece string, sc *scratch) []int32 {
	n := int32(len(piece))
	nodes := slices.Grow(sc.nodes[:0], int(n)+1)[:n+1] // node n ends the piece
	for i := range nodes {
		nodes[i] = mergeNode{prev: int32(i) - 1, next: int32(i) + 1, key: noKey}
	}
	pairKey := func(i int32) uint32 {
		j := nodes[i].next
		if j == n {
			return noKey
		}
		return v.key(piece[i:nodes[j].next])
	}
	h := sc.heap[:0]
	for i := range n - 1 {
		if k := pairKey(i); k != noKey {
			nodes[i].key = k
			h = append(h, candidate(k, i))
		}
	}
	h.init()
	for len(h) > 0 {
		key, i := h.pop()
		if nodes[i].key != key {
			continue // stale: its part changed or was merged away
		}
		j := nodes[i].next
		k := nodes[j].next
		nodes[j].key = noKey
		nodes[i].next = k
		nodes[k].prev = i
		for _, p := range [2]int32{i, nodes[i].prev} {
			if p < 0 {
				continue
			}
			if nodes[p].key = pairKey(p); nodes[p].key != noKey {
				h.push(candidate(nodes[p].key, p))
			}
		}
	}
	for i := int32(0); i < n; i = nodes[i].next {
		dst = append(dst, nodes[i].next-i)
	}
	sc.nodes, sc.heap = nodes, h
	return dst
}

// candidate is a merge in mergeHeap's heap: the part at offset joined with
// the next, into the token of the given key. Ordered as numbers, the
// lowest key (rank) comes first and then the leftmost part.
func candidate(key uint32, offset int32) uint64 { return uint64(key)<<32 | uint64(uint32(offset)) }

// mergeHeap is a binary min-heap of candidates.
type mergeHeap []uint64

func (h mergeHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *mergeHeap) push(c uint64) {
	*h = append(*h, c)
	s := *h
	for i := len(s) - 1; i > 0; {
		parent := (i - 1) / 2
		if s[parent] <= s[i] {
			break
		}
		s[i], s[parent] = s[parent], s[i]
		i = parent
	}
}

// pop removes the lowest candidate and returns its key and offset.
func (h *mergeHeap) pop() (uint32, int32) {
	s := *h
	top := s[0]
	s[0] = s[len(s)-1]
	*h = s[:len(s)-1]
	h.down(0)
	return uint32(top >> 32), int32(uint32(top))
}

func (h mergeHeap) down(i int) {
	for {
		child := 2*i + 1
		if child >= len(h) {
			return
		}
		if child+1 < len(h) && h[child+1] < h[child] {
			child++
		}
		if h[i] <= h[child] {
			return
		}
		h[i], h[child] = h[child], h[i]
		i = child
	}
}
