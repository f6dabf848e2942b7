package gemini

import (
	"strings"
	"testing"
)

// A client's tool arguments or tool result nested millions deep must be
// refused or wrapped, never crash the adapter's process (gjson's validator
// recurses once per level).
func TestDeeplyNestedToolJSONDoesNotCrash(t *testing.T) {
	deep := strings.Repeat("[", 6_000_000)
	body := `{"model":"gemini-2.0-flash","messages":[{"role":"user","content":"x"},` +
		`{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":` + quoteJSON(deep) + `}}]},` +
		`{"role":"tool","tool_call_id":"c1","content":` + quoteJSON(deep) + `}]}`
	_, err := ChatRequest([]byte(body), "gemini-2.0-flash")
	if err == nil || !strings.Contains(err.Error(), "function.arguments") {
		t.Fatalf("arguments nested 6,000,000 deep: %v, want them refused", err)
	}
}

func quoteJSON(s string) string { return `"` + s + `"` }
