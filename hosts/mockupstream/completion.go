package mockupstream

import (
	"encoding/json"
	"errors"
	"strconv"
)

// completionRequest is what the mock reads of a legacy completion request.
type completionRequest struct {
	Model         string          `json:"model"`
	Prompt        json.RawMessage `json:"prompt"`
	Stream        bool            `json:"stream"`
	StreamOptions streamOptions   `json:"stream_options"`
	MaxTokens     int64           `json:"max_tokens"`
}

// errPrompt is returned for a prompt that is neither a string nor an array
// of strings.
var errPrompt = errors.New("mockupstream: prompt must be a string or an array of strings")

// buildCompletion answers POST /v1/completions: choice i echoes prompt i.
func buildCompletion(a *answer, body []byte, created int64) error {
	var req completionRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return err
	}
	prompts, err := promptList(req.Prompt)
	if err != nil {
		return err
	}
	replies := make([]string, len(prompts))
	finishes := make([]string, len(prompts))
	var prompt, completion int64
	for i, p := range prompts {
		replies[i], finishes[i] = limitReply(p, req.MaxTokens)
		prompt += CountTokens(p)
		completion += CountTokens(replies[i])
	}
	a.tokens = prompt + completion
	if !req.Stream {
		a.out = append(a.out, `{"id":"cmpl-mock","object":"text_completion","created":`...)
		a.out = appendInt(a.out, created)
		a.out = append(a.out, `,"model":`...)
		a.out = appendString(a.out, req.Model)
		a.out = append(a.out, `,"choices":[`...)
		for i := range replies {
			if i > 0 {
				a.out = append(a.out, ',')
			}
			a.out = append(a.out, `{"text":`...)
			a.out = appendString(a.out, replies[i])
			a.out = append(a.out, `,"index":`...)
			a.out = appendInt(a.out, int64(i))
			a.out = append(a.out, `,"logprobs":null,"finish_reason":`...)
			a.out = appendString(a.out, finishes[i])
			a.out = append(a.out, '}')
		}
		a.out = append(a.out, `],"usage":`...)
		a.out = appendUsage(a.out, prompt, completion)
		a.out = append(a.out, '}')
		return nil
	}

	a.stream = true
	a.scratch = append(a.scratch[:0], `{"id":"cmpl-mock","object":"text_completion","created":`...)
	a.scratch = appendInt(a.scratch, created)
	a.scratch = append(a.scratch, `,"choices":[`...)
	n := len(a.scratch)
	a.scratch = append(a.scratch, `],"model":`...)
	a.scratch = appendString(a.scratch, req.Model)
	c := newChunker(a, a.scratch[:n], a.scratch[n:], req.StreamOptions.IncludeUsage)
	for i, reply := range replies {
		index := strconv.Itoa(i)
		for rest := reply; rest != ""; { // each turn consumes at least one byte
			var piece string
			piece, rest = nextPiece(rest)
			c.content(`{"text":`, piece, `,"index":`+index+`,"logprobs":null,"finish_reason":null}`)
		}
		c.content(`{"text":"","index":`+index+`,"logprobs":null,"finish_reason":`, finishes[i], `}`)
	}
	if req.StreamOptions.IncludeUsage {
		c.usage(prompt, completion)
	}
	a.done()
	return nil
}

// promptList reads a prompt: a string or an array of strings.
func promptList(raw json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil && len(many) > 0 {
		return many, nil
	}
	return nil, errPrompt
}
