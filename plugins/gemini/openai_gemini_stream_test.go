package gemini

import (
	"errors"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// TestStreamTranslator feeds events one at a time and checks what each
// one yields at once: nothing is held back for a later event.
func TestStreamTranslator(t *testing.T) {
	const head = `data: {"id":"chatcmpl-r","object":"chat.completion.chunk","created":100,"model":"m","choices":[`
	steps := []struct{ event, want string }{
		{`{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"index":0}],"responseId":"r","usageMetadata":{"promptTokenCount":4,"totalTokenCount":4}}`,
			head + `{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}` + "\n\n"},
		{`{"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{"x":1}}}],"role":"model"},"index":0}]}`,
			head + `{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_0_0","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]},"finish_reason":null}]}` + "\n\n"},
		{`{"candidates":[{"content":{"parts":[{"functionCall":{"name":"g","args":{}}}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":6,"totalTokenCount":10}}`,
			head + `{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_0_1","type":"function","function":{"name":"g","arguments":"{}"}}]},"finish_reason":null}]}` + "\n\n" +
				head + `{"index":0,"delta":{},"finish_reason":"tool_calls"}]}` + "\n\n"},
		{`{"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":6,"totalTokenCount":10}}`, ``},
	}
	tr := NewStreamTranslator("m", 100, true)
	for i, s := range steps {
		got, err := tr.Event([]byte(s.event))
		if err != nil || string(got) != s.want {
			t.Errorf("event %d: got\n %q, %v\nwant\n %q", i, got, err, s.want)
		}
	}
	wantEnd := `data: {"id":"chatcmpl-r","object":"chat.completion.chunk","created":100,"model":"m","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":6,"total_tokens":10,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}` + "\n\ndata: [DONE]\n\n"
	if got := string(tr.End()); got != wantEnd {
		t.Errorf("End = %q, want %q", got, wantEnd)
	}
	if tr.Usage() != (abi.Usage{InputTokens: 4, OutputTokens: 6}) {
		t.Errorf("Usage = %+v", tr.Usage())
	}

	quiet := NewStreamTranslator("m", 100, false) // no usage chunk unless asked
	if _, err := quiet.Event([]byte(`{"usageMetadata":{"promptTokenCount":1}}`)); err != nil || string(quiet.End()) != "data: [DONE]\n\n" {
		t.Errorf("End without include_usage = %q, %v", quiet.End(), err)
	}
	blocked := NewStreamTranslator("m", 100, false)
	got, _ := blocked.Event([]byte(`{"promptFeedback":{"blockReason":"OTHER"}}`))
	if !strings.Contains(string(got), `"delta":{"role":"assistant"},"finish_reason":"content_filter"`) {
		t.Errorf("blocked prompt: %s", got)
	}
	var fe *FieldError
	if _, err := NewStreamTranslator("m", 1, false).Event([]byte(`{"x":`)); !errors.As(err, &fe) {
		t.Errorf("malformed event: %v", err)
	}
}
