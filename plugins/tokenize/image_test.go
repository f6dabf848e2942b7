package tokenize

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/png"
	"testing"
)

func TestImageTokens(t *testing.T) {
	dataURL := func(w, h int) string {
		var buf bytes.Buffer
		if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
			t.Fatal(err)
		}
		return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
	}
	for _, tc := range []struct {
		name, url, detail string
		want              int64
	}{
		{"low detail", dataURL(4000, 4000), "low", 85},
		// OpenAI's examples: 1024×1024 → 768×768, 4 tiles; 2048×4096 → 1024×2048 → 768×1536, 6 tiles.
		{"square", dataURL(1024, 1024), "high", 85 + 4*170},
		{"tall", dataURL(2048, 4096), "auto", 85 + 6*170},
		{"small", dataURL(100, 100), "", 85 + 170},
		{"by URL: assumed 1024×1024", "https://example.com/cat.png", "", 765},
		{"unreadable data", "data:image/png;base64,AAAA", "", 765},
	} {
		if got := imageTokens(tc.url, tc.detail); got != tc.want {
			t.Errorf("%s: imageTokens = %d, want %d", tc.name, got, tc.want)
		}
	}
}
