package proxy_test

import (
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
)

func TestRedactURLHidesCredentials(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://api.groq.com/openai/v1", "https://api.groq.com/openai/v1"},
		{"http://user:sk-pw@127.0.0.1:8080/v1", "http://user:xxxxx@127.0.0.1:8080/v1"},
		{"https://example.com/v1?api_key=sk-q&region=eu", "https://example.com/v1?api_key=xxxxx&region=xxxxx"},
	} {
		got := proxy.RedactURL(tc.in)
		if got != tc.want {
			t.Errorf("proxy.RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if strings.Contains(got, "sk-") {
			t.Errorf("proxy.RedactURL(%q) = %q shows a credential", tc.in, got)
		}
	}
}
