package mockupstream

import (
	"encoding/json"
	"errors"
	"hash/fnv"
	"strconv"
)

// embeddingRequest is what the mock reads of an embeddings request.
type embeddingRequest struct {
	Model string          `json:"model"`
	Input json.RawMessage `json:"input"`
}

// errInput is returned for an input that is not a string, an array of
// strings, an array of token ids or an array of those.
var errInput = errors.New("mockupstream: input must be a string, an array of strings or token arrays")

// embeddingInput is one input to embed: its tokens and a hash that seeds
// its vector.
type embeddingInput struct {
	tokens int64
	seed   uint64
}

// buildEmbeddings answers POST /v1/embeddings: each input gets a vector of
// EmbeddingDims floats in [-1, 1) derived from a hash of the input.
func (s *Server) buildEmbeddings(a *answer, body []byte, _ int64) error {
	var req embeddingRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return err
	}
	inputs, err := embeddingInputs(req.Input)
	if err != nil {
		return err
	}
	a.out = append(a.out, `{"object":"list","data":[`...)
	for i, in := range inputs {
		if i > 0 {
			a.out = append(a.out, ',')
		}
		a.out = append(a.out, `{"object":"embedding","index":`...)
		a.out = appendInt(a.out, int64(i))
		a.out = append(a.out, `,"embedding":[`...)
		x := in.seed
		for d := range s.cfg.EmbeddingDims {
			if d > 0 {
				a.out = append(a.out, ',')
			}
			x = splitmix64(x)
			v := float32(float64(x>>11)/(1<<53)*2 - 1)
			a.out = strconv.AppendFloat(a.out, float64(v), 'g', -1, 32)
		}
		a.out = append(a.out, "]}"...)
		a.tokens += in.tokens
	}
	a.out = append(a.out, `],"model":`...)
	a.out = appendString(a.out, req.Model)
	a.out = append(a.out, `,"usage":{"prompt_tokens":`...)
	a.out = appendInt(a.out, a.tokens)
	a.out = append(a.out, `,"total_tokens":`...)
	a.out = appendInt(a.out, a.tokens)
	a.out = append(a.out, "}}"...)
	return nil
}

// embeddingInputs reads an embeddings input: a string, an array of token
// ids, or an array of either. Text counts as [CountTokens]; token arrays by
// their length.
func embeddingInputs(raw json.RawMessage) ([]embeddingInput, error) {
	if in, ok := embeddingOne(raw); ok {
		return []embeddingInput{in}, nil
	}
	var many []json.RawMessage
	if json.Unmarshal(raw, &many) != nil || len(many) == 0 {
		return nil, errInput
	}
	out := make([]embeddingInput, len(many))
	for i, m := range many {
		in, ok := embeddingOne(m)
		if !ok {
			return nil, errInput
		}
		out[i] = in
	}
	return out, nil
}

// embeddingOne reads a single input: a string or an array of token ids.
func embeddingOne(raw json.RawMessage) (embeddingInput, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return embeddingInput{tokens: CountTokens(s), seed: hash(raw)}, true
	}
	var ids []int64
	if json.Unmarshal(raw, &ids) == nil && len(ids) > 0 {
		return embeddingInput{tokens: int64(len(ids)), seed: hash(raw)}, true
	}
	return embeddingInput{}, false
}

func hash(b []byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(b)
	return h.Sum64()
}

// splitmix64 is one step of the SplitMix64 generator.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
