package mockupstream

import "encoding/json"

// chatRequest is what the mock reads of a chat completion request.
type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions streamOptions `json:"stream_options"`
	MaxTokens     int64         `json:"max_tokens"`
	MaxCompletion int64         `json:"max_completion_tokens"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// buildChat answers POST /v1/chat/completions: the reply echoes the last
// user message.
func buildChat(a *answer, body []byte, created int64) error {
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return err
	}
	var prompt int64
	var last string
	for _, m := range req.Messages {
		t, err := text(m.Content)
		if err != nil {
			return err
		}
		prompt += CountTokens(t)
		if m.Role == "user" {
			last = t
		}
	}
	reply, finish := limitReply(last, max(req.MaxTokens, req.MaxCompletion))
	completion := CountTokens(reply)
	a.tokens = prompt + completion
	if !req.Stream {
		a.out = appendChatCompletion(a.out, req.Model, created, reply, finish, prompt, completion)
		return nil
	}

	a.stream = true
	a.scratch = append(a.scratch[:0], `{"id":"chatcmpl-mock","object":"chat.completion.chunk","created":`...)
	a.scratch = appendInt(a.scratch, created)
	a.scratch = append(a.scratch, `,"model":`...)
	a.scratch = appendString(a.scratch, req.Model)
	a.scratch = append(a.scratch, `,"system_fingerprint":"fp_mock","choices":[`...)
	c := newChunker(a, a.scratch, []byte("]"), req.StreamOptions.IncludeUsage)
	c.choice(`{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}`)
	for rest := reply; rest != ""; { // each turn consumes at least one byte
		var piece string
		piece, rest = nextPiece(rest)
		c.content(`{"index":0,"delta":{"content":`, piece, `},"logprobs":null,"finish_reason":null}`)
	}
	c.content(`{"index":0,"delta":{},"logprobs":null,"finish_reason":`, finish, `}`)
	if req.StreamOptions.IncludeUsage {
		c.usage(prompt, completion)
	}
	a.done()
	return nil
}

// appendChatCompletion appends a non-streamed chat completion.
func appendChatCompletion(dst []byte, model string, created int64, reply, finish string, prompt, completion int64) []byte {
	dst = append(dst, `{"id":"chatcmpl-mock","object":"chat.completion","created":`...)
	dst = appendInt(dst, created)
	dst = append(dst, `,"model":`...)
	dst = appendString(dst, model)
	dst = append(dst, `,"choices":[{"index":0,"message":{"role":"assistant","content":`...)
	dst = appendString(dst, reply)
	dst = append(dst, `,"refusal":null},"logprobs":null,"finish_reason":`...)
	dst = appendString(dst, finish)
	dst = append(dst, `}],"usage":`...)
	dst = appendUsage(dst, prompt, completion)
	return append(dst, `,"system_fingerprint":"fp_mock"}`...)
}
