package tokenize

import (
	"encoding/json"
	"flag"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// update rewrites testdata/prompts.json's true counts:
//
//	go test ./plugins/tokenize -run TestFixture -update
var update = flag.Bool("update", false, "rewrite the true token counts in testdata/prompts.json")

const fixturePath = "testdata/prompts.json"

// prompt is one fixture entry. Kinds: "text" (a prompt), "chat" (a chat
// request body), "concat" (every text prompt joined, Repeat times) and
// "concat-chat" (a chat with one user message per text prompt, Repeat
// times).
type prompt struct {
	Name   string          `json:"name"`
	Kind   string          `json:"kind"`
	Text   string          `json:"text,omitempty"`
	Body   json.RawMessage `json:"body,omitempty"`
	Repeat int             `json:"repeat,omitempty"`
	Model  string          `json:"model,omitempty"`
	// True counts, computed by reference with the whole text tokenized.
	O200k  int64 `json:"o200k_base"`
	Cl100k int64 `json:"cl100k_base"`
}

// endpointBody returns the prompt as a request: its endpoint and body.
func (p *prompt) endpointBody(all []prompt) (string, []byte) {
	var texts []string
	for _, q := range all {
		if q.Kind == "text" {
			texts = append(texts, q.Text)
		}
	}
	switch p.Kind {
	case "text":
		b, _ := json.Marshal(map[string]string{"prompt": p.Text})
		return sdk.EndpointCompletions, b
	case "concat":
		doc := strings.Repeat(strings.Join(texts, "\n\n")+"\n\n", p.Repeat)
		b, _ := json.Marshal(map[string]string{"prompt": doc})
		return sdk.EndpointCompletions, b
	case "concat-chat":
		msgs := []map[string]string{{"role": "system", "content": "Answer questions about the documents."}}
		for range p.Repeat {
			for _, t := range texts {
				msgs = append(msgs, map[string]string{"role": "user", "content": t})
			}
		}
		b, _ := json.Marshal(map[string]any{"model": p.Model, "messages": msgs})
		return sdk.EndpointChatCompletions, b
	}
	return sdk.EndpointChatCompletions, p.Body
}

func loadFixture(t testing.TB) []prompt {
	t.Helper()
	b, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	var ps []prompt
	if err := json.Unmarshal(b, &ps); err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestFixture checks the estimate against the fixture's true counts:
// within 2 % for OpenAI's encodings, on every prompt; it logs the
// approximation's error against o200k_base (run with -v to see the
// figures README.md reports).
func TestFixture(t *testing.T) {
	ps := loadFixture(t)
	if len(ps) < 30 {
		t.Fatalf("the fixture has %d prompts; want at least 30", len(ps))
	}
	var worst = map[Encoding]float64{}
	var sumErr, sumAbs = map[Encoding]float64{}, map[Encoding]float64{}
	for i := range ps {
		p := &ps[i]
		endpoint, body := p.endpointBody(ps)
		for _, enc := range []Encoding{O200kBase, Cl100kBase} {
			truth := reference(enc, endpoint, body)
			stored := &p.O200k
			if enc == Cl100kBase {
				stored = &p.Cl100k
			}
			if *update {
				*stored = truth
			} else if truth != *stored {
				t.Errorf("%s: %s reference count %d, fixture says %d (vocabulary changed? rerun with -update)", p.Name, enc, truth, *stored)
			}
			got, err := Request(enc, endpoint, body)
			if err != nil {
				t.Fatalf("%s: %v", p.Name, err)
			}
			e := relErr(got, truth)
			worst[enc] = max(worst[enc], math.Abs(e))
			sumAbs[enc] += math.Abs(e)
			if math.Abs(e) > 0.02 {
				t.Errorf("%s: %s estimate %d, true %d: error %+.2f%%", p.Name, enc, got, truth, 100*e)
			}
		}
		approx, _ := Request(Approximate, endpoint, body)
		e := relErr(approx, p.O200k)
		sumErr[Approximate] += e
		sumAbs[Approximate] += math.Abs(e)
		worst[Approximate] = max(worst[Approximate], math.Abs(e))
		t.Logf("%-38s o200k %6d  cl100k %6d  approximate %6d (%+6.1f%%)", p.Name, p.O200k, p.Cl100k, approx, 100*e)
	}
	n := float64(len(ps))
	for _, enc := range []Encoding{O200kBase, Cl100kBase, Approximate} {
		t.Logf("%-12s mean |error| %5.2f%%, worst %5.2f%%", enc, 100*sumAbs[enc]/n, 100*worst[enc])
	}
	t.Logf("approximate mean signed error vs o200k_base %+.1f%%", 100*sumErr[Approximate]/n)
	if *update {
		b, err := json.MarshalIndent(ps, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fixturePath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func relErr(got, truth int64) float64 { return float64(got-truth) / float64(truth) }

// reference counts a request the slow, obvious way: every text tokenized
// whole, with the cookbook's framing written out again.
func reference(enc Encoding, endpoint string, body []byte) int64 {
	tok := vocabularies[enc]()
	count := func(s string) int64 { return int64(tok.count(s)) }
	doc := gjson.ParseBytes(body)
	if endpoint == sdk.EndpointCompletions {
		return count(doc.Get("prompt").String())
	}
	n := int64(3)
	for _, m := range doc.Get("messages").Array() {
		n += 3 + count(m.Get("role").String())
		if c := m.Get("content"); c.IsArray() {
			for _, part := range c.Array() {
				n += count(part.Get("text").String())
			}
		} else {
			n += count(c.String())
		}
		if name := m.Get("name"); name.Exists() {
			n += 1 + count(name.String())
		}
		for _, call := range m.Get("tool_calls").Array() {
			n += 3 + count(call.Get("function.name").String()) + count(call.Get("function.arguments").String())
		}
	}
	tools := doc.Get("tools").Array()
	for _, tool := range tools {
		f := tool.Get("function")
		n += 7
		if enc == Cl100kBase {
			n += 3
		}
		n += count(f.Get("name").String() + ":" + strings.TrimSuffix(f.Get("description").String(), "."))
		props := f.Get("parameters.properties").Map()
		if len(props) > 0 {
			n += 3
		}
		for key, p := range props {
			n += 3
			if enum := p.Get("enum"); enum.Exists() {
				n -= 3
				for _, item := range enum.Array() {
					n += 3 + count(item.String())
				}
			}
			n += count(key + ":" + p.Get("type").String() + ":" + strings.TrimSuffix(p.Get("description").String(), "."))
		}
	}
	if len(tools) > 0 {
		n += 12
	}
	return n
}
