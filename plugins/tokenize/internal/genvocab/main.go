// Command genvocab writes the compact vocabularies that package tokenize
// embeds, from tiktoken-go's codecs: go generate ./plugins/tokenize.
//
// Each file lists a vocabulary's tokens in rank order, each as one length
// byte and then its bytes; a length of 0 is a rank with no token (a hole).
// Special tokens (<|endoftext|> …) are not in it: tiktoken-go's Encode
// never treats them as special either, it splits and merges their text
// like any other.
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tiktoken-go/tokenizer/codec"
)

// maxHoles is how many ranks in a row must have no token for the
// vocabulary to be taken as ended.
const maxHoles = 1 << 16

func main() {
	log.SetFlags(0)
	dir := "vocab"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	for _, v := range []struct {
		name string
		new  func() *codec.Codec
	}{
		{"o200k_base", codec.NewO200kBase},
		{"cl100k_base", codec.NewCl100kBase},
	} {
		blob, tokens, err := compact(v.new())
		if err != nil {
			log.Fatalf("genvocab: %s: %v", v.name, err)
		}
		path := filepath.Join(dir, v.name+".bin")
		if err := os.WriteFile(path, blob, 0o644); err != nil {
			log.Fatalf("genvocab: %v", err)
		}
		log.Printf("genvocab: %s: %d tokens, %d bytes", path, tokens, len(blob))
	}
}

// compact returns c's tokens in rank order, each as a length byte and its
// bytes, and how many there are. It fails on a token of more than 255
// bytes, on two ranks with the same bytes, and on a vocabulary missing a
// single byte.
func compact(c *codec.Codec) ([]byte, int, error) {
	var toks []string
	holes := 0
	for rank := uint(0); holes < maxHoles; rank++ {
		tok, err := c.Decode([]uint{rank})
		if err != nil || tok == "" {
			holes++
			toks = append(toks, "")
			continue
		}
		holes = 0
		toks = append(toks, tok)
	}
	toks = toks[:len(toks)-maxHoles]
	var blob bytes.Buffer
	seen := make(map[string]int, len(toks))
	for rank, tok := range toks {
		if len(tok) > 255 {
			return nil, 0, fmt.Errorf("rank %d has %d bytes: more than a length byte holds", rank, len(tok))
		}
		if tok != "" {
			if other, dup := seen[tok]; dup {
				return nil, 0, fmt.Errorf("ranks %d and %d are both %q", other, rank, tok)
			}
			seen[tok] = rank
		}
		blob.WriteByte(byte(len(tok)))
		blob.WriteString(tok)
	}
	for b := range 256 {
		if _, ok := seen[string([]byte{byte(b)})]; !ok {
			return nil, 0, fmt.Errorf("byte %#x is not a token", b)
		}
	}
	return blob.Bytes(), len(seen), nil
}
