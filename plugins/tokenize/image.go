package tokenize

import (
	"bytes"
	"encoding/base64"
	"image"
	_ "image/gif" // image.DecodeConfig reads these formats' sizes
	_ "image/jpeg"
	_ "image/png"
	"io"
	"strings"
)

// OpenAI's image pricing (vision guide).
const (
	imageBaseTokens = 85  // every image; all of a low-detail one
	imageTileTokens = 170 // each 512-pixel tile at high detail
	imageTile       = 512
	imageMaxSide    = 2048
	imageShortSide  = 768
	// unknownImageSide is assumed for an image whose size the request does
	// not show (one by URL): 1024×1024, 4 tiles, 765 tokens.
	unknownImageSide = 1024
	// imageHeaderBytes bounds how much of a data URL is decoded to read
	// the size; every supported format has it near the start.
	imageHeaderBytes = 64 << 10
)

// imageTokens returns the tokens of an image part: url is its URL or data
// URL, detail "low", "high" or "auto" (or empty, which is auto).
func imageTokens(url, detail string) int64 {
	if detail == "low" {
		return imageBaseTokens
	}
	w, h := imageSize(url)
	// Fit in 2048×2048, then scale the short side down to 768.
	if m := max(w, h); m > imageMaxSide {
		w, h = w*imageMaxSide/m, h*imageMaxSide/m
	}
	if s := min(w, h); s > imageShortSide {
		w, h = w*imageShortSide/s, h*imageShortSide/s
	}
	tiles := int64((w+imageTile-1)/imageTile) * int64((h+imageTile-1)/imageTile)
	return imageBaseTokens + imageTileTokens*tiles
}

// imageSize returns the size of a base64 data URL's image, or the assumed
// size when it is not one or cannot be read.
func imageSize(url string) (w, h int) {
	rest, ok := strings.CutPrefix(url, "data:")
	if _, data, found := strings.Cut(rest, ";base64,"); ok && found {
		if len(data) > imageHeaderBytes {
			data = data[:imageHeaderBytes]
		}
		r := base64.NewDecoder(base64.StdEncoding, strings.NewReader(data))
		head, _ := io.ReadAll(r) // a cut-off tail is fine: only the header matters
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(head)); err == nil && cfg.Width > 0 && cfg.Height > 0 {
			return cfg.Width, cfg.Height
		}
	}
	return unknownImageSide, unknownImageSide
}
