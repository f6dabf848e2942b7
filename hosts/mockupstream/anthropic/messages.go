package anthropic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// knownFields are the Messages API's top-level request fields; the mock
// refuses any other, as the real API does.
var knownFields = map[string]bool{
	"model": true, "messages": true, "system": true, "max_tokens": true, "metadata": true, "stop_sequences": true,
	"stream": true, "temperature": true, "top_p": true, "top_k": true, "tools": true, "tool_choice": true,
	"thinking": true, "service_tier": true,
}

// request is what the mock reads of a Messages request.
type request struct {
	Model     string          `json:"model"`
	MaxTokens int64           `json:"max_tokens"`
	System    json.RawMessage `json:"system"`
	Messages  []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream     bool `json:"stream"`
	ToolChoice struct {
		Type string `json:"type"`
		Name string `json:"name"`
	} `json:"tool_choice"`
}

// block is a content block, as far as the mock reads it.
type block struct {
	Type         string          `json:"type"`
	Text         string          `json:"text"`
	Content      json.RawMessage `json:"content"`
	CacheControl json.RawMessage `json:"cache_control"`
}

// usage is a Messages usage object.
type usage struct {
	InputTokens              int64 `json:"input_tokens"`
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
	OutputTokens             int64 `json:"output_tokens"`
}

// messages answers POST /v1/messages.
func (s *Server) messages(w http.ResponseWriter, body []byte) {
	var fields map[string]json.RawMessage
	var req request
	if err := json.Unmarshal(body, &fields); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "the body is not a JSON object")
		return
	}
	for name := range fields {
		if !knownFields[name] {
			writeError(w, http.StatusBadRequest, "invalid_request_error", name+": Extra inputs are not permitted")
			return
		}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "malformed request: "+err.Error())
		return
	}
	if req.MaxTokens <= 0 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "max_tokens: Field required")
		return
	}
	var u usage
	var last string
	sysInput, sysCached, err := systemTokens(req.System)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "system: "+err.Error())
		return
	}
	u.InputTokens, u.CacheReadInputTokens = sysInput, sysCached
	for i, m := range req.Messages {
		text, err := contentText(m.Content)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", fmt.Sprintf("messages.%d.content: %v", i, err))
			return
		}
		u.InputTokens += mockupstream.CountTokens(text)
		if m.Role == "user" {
			last = text
		}
	}
	a := answer{id: "msg_mock", model: req.Model, usage: u}
	if req.ToolChoice.Type == "tool" {
		input, _ := json.Marshal(map[string]string{"text": last})
		a.tool, a.toolInput, a.stop = req.ToolChoice.Name, string(input), "tool_use"
		a.usage.OutputTokens = mockupstream.CountTokens(a.toolInput)
	} else {
		a.text, a.stop = limitReply(last, req.MaxTokens)
		a.usage.OutputTokens = mockupstream.CountTokens(a.text)
	}
	if req.Stream {
		a.stream(w)
		return
	}
	writeJSON(w, http.StatusOK, a.message())
}

// systemTokens counts the system prompt: a string, or text blocks whose
// cache_control ones count as cache reads.
func systemTokens(raw json.RawMessage) (input, cached int64, err error) {
	if len(raw) == 0 || raw[0] != '[' {
		s, err := contentText(raw)
		return mockupstream.CountTokens(s), 0, err
	}
	var blocks []block
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return 0, 0, err
	}
	for _, b := range blocks {
		if len(b.CacheControl) > 0 {
			cached += mockupstream.CountTokens(b.Text)
		} else {
			input += mockupstream.CountTokens(b.Text)
		}
	}
	return input, cached, nil
}

// contentText returns the text of a content: a string, or its text blocks
// and tool results joined.
func contentText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var blocks []block
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, blk := range blocks {
		switch blk.Type {
		case "text":
			b.WriteString(blk.Text)
		case "tool_result":
			t, err := contentText(blk.Content)
			if err != nil {
				return "", err
			}
			b.WriteString(t)
		}
	}
	return b.String(), nil
}

// limitReply cuts reply to maxTokens at a rune boundary, and returns it
// with its stop_reason.
func limitReply(reply string, maxTokens int64) (string, string) {
	if mockupstream.CountTokens(reply) <= maxTokens {
		return reply, "end_turn"
	}
	n := int(maxTokens * 4)
	for n > 0 && !utf8.RuneStart(reply[n]) {
		n--
	}
	return reply[:n], "max_tokens"
}

// answer is the mock's reply to one request.
type answer struct {
	id, model string
	text      string // the reply, or
	tool      string // the tool it calls, with
	toolInput string // this input (JSON)
	stop      string
	usage     usage
}

// message returns the non-streamed answer.
func (a *answer) message() map[string]any {
	content := []any{}
	switch {
	case a.tool != "":
		content = append(content, map[string]any{"type": "tool_use", "id": "toolu_mock", "name": a.tool, "input": json.RawMessage(a.toolInput)})
	case a.text != "":
		content = append(content, map[string]any{"type": "text", "text": a.text})
	}
	return map[string]any{"id": a.id, "type": "message", "role": "assistant", "model": a.model, "content": content,
		"stop_reason": a.stop, "stop_sequence": nil, "usage": a.usage}
}

// stream writes the answer as Messages events, flushing each.
func (a *answer) stream(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	start := a.usage
	start.OutputTokens = 1
	events := []event{{"message_start", map[string]any{"type": "message_start", "message": map[string]any{"id": a.id, "type": "message",
		"role": "assistant", "model": a.model, "content": []any{}, "stop_reason": nil, "stop_sequence": nil, "usage": start}}}}
	add := func(name string, data any) { events = append(events, event{name, data}) }
	if a.tool != "" {
		add("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
			"content_block": map[string]any{"type": "tool_use", "id": "toolu_mock", "name": a.tool, "input": map[string]any{}}})
		add("ping", map[string]string{"type": "ping"})
		half := len(a.toolInput) / 2
		for _, part := range []string{a.toolInput[:half], a.toolInput[half:]} {
			add("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
				"delta": map[string]string{"type": "input_json_delta", "partial_json": part}})
		}
	} else {
		add("content_block_start", map[string]any{"type": "content_block_start", "index": 0,
			"content_block": map[string]string{"type": "text", "text": ""}})
		add("ping", map[string]string{"type": "ping"})
		for rest := a.text; rest != ""; { // each turn consumes at least one byte
			var piece string
			piece, rest = nextPiece(rest)
			add("content_block_delta", map[string]any{"type": "content_block_delta", "index": 0,
				"delta": map[string]string{"type": "text_delta", "text": piece}})
		}
	}
	add("content_block_stop", map[string]any{"type": "content_block_stop", "index": 0})
	add("message_delta", map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": a.stop, "stop_sequence": nil},
		"usage": map[string]int64{"output_tokens": a.usage.OutputTokens}})
	add("message_stop", map[string]string{"type": "message_stop"})
	for _, e := range events {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(e.data)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n", e.name, buf.Bytes()); err != nil || rc.Flush() != nil {
			return
		}
	}
}

// event is one server-sent event: its type and data (as JSON).
type event struct {
	name string
	data any
}

// nextPiece splits off the first stream piece of s: a word with the spaces
// after it.
func nextPiece(s string) (piece, rest string) {
	i := strings.IndexByte(s, ' ')
	if i < 0 {
		return s, ""
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return s[:i], s[i:]
}
