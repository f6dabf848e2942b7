// Package tokenize estimates the input tokens of an OpenAI-format request
// before it is sent, for the router's cost estimate and context-window
// check. For OpenAI models it tokenizes with OpenAI's own vocabularies
// (o200k_base, cl100k_base: compact tables generated from
// github.com/tiktoken-go/tokenizer's and embedded in the binary, no
// network) and adds OpenAI's documented chat framing; for every other
// model it approximates.
//
// # Usage
//
// An adapter picks the encoding from the model name and estimates the
// client's body for an endpoint:
//
//	enc := tokenize.ForModel(model) // O200kBase, Cl100kBase or Approximate
//	n, err := tokenize.Request(enc, sdk.EndpointChatCompletions, body)
//
// A process that will estimate OpenAI models loads the vocabularies ahead
// of the first request with [Warm].
//
// # How chats are counted
//
// As OpenAI's cookbook ("How to count tokens with tiktoken") does: each
// message costs 3 tokens plus the tokens of its role, content and name (a
// name 1 more), and the reply is primed with 3. Tool definitions follow the
// cookbook's num_tokens_for_tools (7 tokens a function for o200k models, 10
// for cl100k ones, 3 for the properties, 3 a property, 3 an enum item less
// 3 per enum, 12 at the end, and each "name:description" and
// "property:type:description" line; nested schemas add their JSON). An
// assistant's tool calls add 3 tokens each plus the function's name and
// arguments; images follow OpenAI's vision pricing: 85 tokens at low
// detail, otherwise 85 + 170 per 512-pixel tile of the image scaled to fit
// 2048×2048 and then to 768 pixels on its short side. The size is read
// from a data URL's header (PNG, JPEG, GIF); an image by URL is assumed
// 1024×1024 (765 tokens).
//
// # Accuracy and cost
//
// Up to [ExactBytes] of text per request is tokenized exactly. Beyond
// that, an evenly spread sample of [ExactBytes] is, and the rest is
// extrapolated from it, which bounds an estimate's cost: with no word
// remembered, about 0.65 ms for 64 KiB of prose (its later pieces reuse
// the words of the first) and 26 ms for 1 MiB of pathological white
// space (BenchmarkRequest, cold). Text is tokenized in pieces of at most
// 1 KiB, cut where tiktoken's own pre-tokenizer starts a piece (before a
// space between two other characters), so the count is that of the whole;
// runs with no such place (white space, base64, compact JSON) are cut
// every 256 bytes, a token more at worst each time. Pieces also bound the
// work: the pre-tokenizer's regular expression is quadratic on long runs
// of mixed white space, which a hostile client could otherwise send.
//
// [Approximate] counts one token per four bytes of text, rounded up, with
// the same framing. Against o200k_base on the fixture
// (testdata/prompts.json) it is off by 23 % on average, from -63 % (base64)
// and -34 % (JSON, logs) to +114 % (Hindi). The exact path stays within
// 0.8 % of the true count on every prompt (0 % below ExactBytes but for
// forced cuts; the sampled long ones 0.5–0.8 %).
//
// Text repeats its words, so each vocabulary remembers the token counts
// of up to 32,768 words of at most 32 bytes (by a keyed hash, not their
// text: about 1 MB, and no prompt text kept): a piece whose words are all
// known is counted by map lookups, about 9 µs per KiB of prose instead
// of 19 (BenchmarkRequest); a piece with a new word is encoded once, about
// as fast as a plain count, and teaches the cache its words. The count is
// the same either way, since words are cut where pieces are (unless a new
// word shares a remembered word's 64-bit hash: odds below 1 in 10^14).
//
// # Vocabularies
//
// internal/genvocab (go generate) writes each vocabulary's tokens from
// tiktoken-go's codec, in rank order, to vocab/*.bin (1.6 MB for
// o200k_base, 0.7 MB for cl100k_base), which the package embeds: they stay
// in the binary's read-only pages. Encoding splits text with the codec's
// own pre-tokenizer patterns, as regexp2cg-generated matchers, and merges
// byte pairs as tiktoken does, giving the same tokens as tiktoken-go's
// Encode (TestEncodeAsCodec) 3.5 (o200k_base) to 5 (cl100k_base) times as
// fast and without allocating (BenchmarkEncode).
//
// # Cold start
//
// Loading a vocabulary indexes its embedded tokens in a hash table: about
// 7 ms and 2.1 MB of heap for o200k_base, 3 ms and 1 MB for cl100k_base
// (TestColdStart measures the time in a fresh process, TestVocabularyHeap
// the heap). Each is loaded once per process, on first use or by [Warm].
package tokenize
