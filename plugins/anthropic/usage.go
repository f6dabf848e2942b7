package anthropic

import (
	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// usage is what a Messages answer reports of its tokens.
type usage struct {
	input, cacheCreation, cacheRead, output int64
}

// update takes the counts present in a usage object: a message's, or a
// message_delta's cumulative ones, each replacing the one before.
func (u *usage) update(v gjson.Result) {
	for _, f := range []struct {
		name string
		n    *int64
	}{
		{"input_tokens", &u.input},
		{"cache_creation_input_tokens", &u.cacheCreation},
		{"cache_read_input_tokens", &u.cacheRead},
		{"output_tokens", &u.output},
	} {
		if c := v.Get(f.name); c.Type == gjson.Number {
			*f.n = c.Int()
		}
	}
}

// abi returns the usage as the core counts it. Anthropic's input_tokens
// exclude the prompt cache; the core's InputTokens include it. Cache reads
// are the cached input (priced as such); cache writes count as plain
// input: Anthropic bills them at 1.25× the input price, which the ABI has
// no field for, so the cost settles slightly low for them.
func (u usage) abi() abi.Usage {
	return abi.Usage{
		InputTokens:       abi.Tokens(u.input + u.cacheCreation + u.cacheRead),
		CachedInputTokens: abi.Tokens(u.cacheRead),
		OutputTokens:      abi.Tokens(u.output),
	}
}
