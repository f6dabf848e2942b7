package proxy_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// TestAnswerCountsAreReserved: a request for n answers (n; best_of on
// completions) is billed n answers' output, and was estimated and reserved
// as one, so a hard budget could be overspent n times over. The estimate
// now counts the output n times, a hard budget refuses what only one
// answer would fit, and a count outside 1..128 is refused up front.
func TestAnswerCountsAreReserved(t *testing.T) {
	g := newCallRig(t)
	estimate := func(path, extra string) (int, float64) {
		t.Helper()
		w, _ := g.post(path, `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"prompt":"hi","max_tokens":1000`+extra+`}`,
			"Content-Type", "application/json")
		usd, _ := strconv.ParseFloat(w.Header().Get("X-Apikeyrouter-Estimated-Cost-Usd"), 64)
		return w.Code, usd
	}
	for _, tc := range []struct {
		path, extra string
		answers     float64
	}{
		{"/v1/chat/completions", `,"n":1`, 1},
		{"/v1/chat/completions", `,"n":16`, 16},
		{"/v1/chat/completions", `,"n":null`, 1},
		{"/v1/completions", `,"n":2,"best_of":5`, 5},
	} {
		_, one := estimate(tc.path, "")
		code, usd := estimate(tc.path, tc.extra)
		// The output is 1,000 tokens at $0.60 per million: $0.0006 an answer.
		if want := one + (tc.answers-1)*0.0006; code != http.StatusOK || usd < want-1e-9 || usd > want+1e-9 {
			t.Errorf("%s %s: %d, estimate $%v; want $%v", tc.path, tc.extra, code, usd, want)
		}
	}
	for _, extra := range []string{`,"n":0`, `,"n":129`, `,"n":1.5`, `,"n":"2"`} {
		w, _ := g.post("/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]`+extra+`}`,
			"Content-Type", "application/json")
		var e struct{ Error struct{ Code string } }
		_ = json.Unmarshal(w.Body.Bytes(), &e)
		if w.Code != http.StatusBadRequest || e.Error.Code != "invalid_n" {
			t.Errorf("%s: %d %s; want 400 invalid_n", extra, w.Code, w.Body)
		}
	}

	// A hard budget with room for a little over one answer.
	_, one := estimate("/v1/chat/completions", "")
	if err := g.r.SetBudget(abi.Budget{ID: "tight", Limit: abi.NanoUSD((one + 0.0003) * 1e9), Period: abi.Daily}); err != nil {
		t.Fatal(err)
	}
	before := g.upstreamRequests()
	w, _ := g.post("/v1/chat/completions", `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":1000,"n":2}`,
		"Content-Type", "application/json")
	if w.Code != http.StatusTooManyRequests || g.upstreamRequests() != before {
		t.Fatalf("two answers under a budget with room for one: %d %s, %d upstream calls; want 429 and none", w.Code, w.Body, g.upstreamRequests()-before)
	}
}
