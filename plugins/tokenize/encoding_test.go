package tokenize

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestForModel(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  Encoding
	}{
		{"gpt-4o", O200kBase},
		{"gpt-4o-mini-2024-07-18", O200kBase},
		{"chatgpt-4o-latest", O200kBase},
		{"gpt-4.1-nano", O200kBase},
		{"gpt-5", O200kBase},
		{"GPT-5-mini", O200kBase},
		{"o1", O200kBase},
		{"o3-mini", O200kBase},
		{"o4-mini-2025-04-16", O200kBase},
		{"openai/gpt-4o", O200kBase},
		{"ft:gpt-4o-mini:acme::abc123", O200kBase},
		{"gpt-oss-120b", O200kBase},
		{"gpt-4", Cl100kBase},
		{"gpt-4-turbo", Cl100kBase},
		{"gpt-3.5-turbo", Cl100kBase},
		{"gpt-35-turbo", Cl100kBase},
		{"text-embedding-3-small", Cl100kBase},
		{"text-embedding-ada-002", Cl100kBase},
		{"o1x", Approximate},
		{"omni-moderation-latest", Approximate},
		{"llama-3.3-70b-versatile", Approximate},
		{"gemini-2.0-flash", Approximate},
		{"claude-sonnet-4-5", Approximate},
		{"", Approximate},
	} {
		if got := ForModel(tc.model); got != tc.want {
			t.Errorf("ForModel(%q) = %s, want %s", tc.model, got, tc.want)
		}
	}
}

// TestColdStart loads each vocabulary in a fresh process, where nothing
// has loaded it yet, and logs how long that took (go test -v -run
// TestColdStart ./plugins/tokenize).
func TestColdStart(t *testing.T) {
	if os.Getenv("TOKENIZE_COLD_START") != "" {
		enc := Encoding(os.Getenv("TOKENIZE_COLD_START"))
		start := time.Now()
		if n := vocabularies[enc]().count("hello world"); n != 2 {
			t.Fatalf("count(hello world) = %d; want 2", n)
		}
		t.Logf("cold start %s: %s", enc, time.Since(start))
		return
	}
	for _, enc := range []Encoding{O200kBase, Cl100kBase} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestColdStart$", "-test.v")
		cmd.Env = append(os.Environ(), "TOKENIZE_COLD_START="+string(enc))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", enc, err, out)
		}
		t.Logf("%s", out)
	}
}

func TestWarm(t *testing.T) {
	Warm(O200kBase, Approximate, "unknown")
	if n := vocabularies[O200kBase]().count("hello world"); n != 2 {
		t.Errorf("after Warm, count(hello world) = %d, want 2", n)
	}
}
