package mockupstream

import (
	"strings"
	"unicode/utf8"
)

// CountTokens is the mock's tokenizer: one token per four bytes, rounded
// up. Tests derive exact expected usage from it.
func CountTokens(s string) int64 { return (int64(len(s)) + 3) / 4 }

// limitReply cuts reply to maxTokens (zero or less: no limit) at a rune
// boundary, and returns it with its finish_reason.
func limitReply(reply string, maxTokens int64) (string, string) {
	if maxTokens <= 0 || CountTokens(reply) <= maxTokens {
		return reply, "stop"
	}
	n := int(maxTokens * 4) // < len(reply), since CountTokens(reply) > maxTokens
	for n > 0 && !utf8.RuneStart(reply[n]) {
		n--
	}
	return reply[:n], "length"
}

// nextPiece splits off the first stream piece of s: a word with the spaces
// after it.
func nextPiece(s string) (piece, rest string) {
	i := strings.IndexByte(s, ' ')
	if i < 0 {
		return s, ""
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return s[:i], s[i:]
}
