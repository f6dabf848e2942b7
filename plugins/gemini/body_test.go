package gemini

import (
	"io"
	"strings"
	"testing"
)

// An error event mid-stream reaches the client as an OpenAI error event,
// in a Read without an error — hosts drop what comes with a failure — and
// the next Read ends the stream with the failure, nothing after it.
func TestStreamReaderRelaysTheErrorEventThenFails(t *testing.T) {
	upstream := "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}],\"role\":\"model\"},\"index\":0}]}\n\n" +
		"data: {\"error\":{\"code\":500,\"message\":\"backend gone\",\"status\":\"INTERNAL\"}}\n\n" +
		"data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\" after\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}]}\n\n"
	r := newStreamReader(io.NopCloser(strings.NewReader(upstream)), NewStreamTranslator("m", 1, false))
	var relayed strings.Builder
	buf := make([]byte, 64<<10)
	var err error
	for err == nil {
		var n int
		n, err = r.Read(buf)
		if err == nil || err == io.EOF {
			relayed.WriteString(string(buf[:n])) // what a host writes
		}
	}
	got := relayed.String()
	if err == io.EOF || !strings.Contains(err.Error(), "backend gone") {
		t.Fatalf("the stream ended with %v, want the provider's failure", err)
	}
	if !strings.Contains(got, `"content":"Hi"`) || !strings.Contains(got, "backend gone") {
		t.Errorf("the client did not get the text and the error event:\n%s", got)
	}
	if strings.Contains(got, "after") || strings.Contains(got, "[DONE]") {
		t.Errorf("the client got something after the error event:\n%s", got)
	}
}
