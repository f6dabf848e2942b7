package sdktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// Secret is the sentinel provider key the kit hands the adapter. It must
// reach the replay server only where a cassette's upstream_request.header
// says (as {{secret}}), and the host must never see it: not in errors,
// headers, bodies or logs.
const Secret = "sk-sdktest-SENTINEL-7f3a9c1e5b"

// secretPlaceholder stands for [Secret] in cassettes.
const secretPlaceholder = "{{secret}}"

// Cassette is one recorded exchange, read from a JSON file: what the host
// asks the adapter, what the adapter must send upstream, what upstream
// answered, and what the host must get back. Bodies (json.RawMessage) are
// either a JSON string, meaning its exact bytes, or any other JSON value,
// compared as JSON. "{{secret}}" in headers and upstream bodies stands for
// [Secret].
type Cassette struct {
	// Name is the file's name without ".json".
	Name string `json:"-"`
	// Description says what the cassette checks.
	Description string `json:"description"`
	// Request is what the host asks of the adapter.
	Request Request `json:"request"`
	// UpstreamRequest is what the adapter must send the provider.
	UpstreamRequest UpstreamRequest `json:"upstream_request"`
	// UpstreamResponse is the provider's recorded answer, replayed.
	UpstreamResponse UpstreamResponse `json:"upstream_response"`
	// Want is what the host must get from the adapter.
	Want Want `json:"want"`
}

// Request is a cassette's call: [sdk.Request] fields plus how to call.
type Request struct {
	// Endpoint picks the method: "models" calls Models, anything else Do.
	Endpoint string `json:"endpoint"`
	Format   string `json:"format,omitempty"`
	Model    string `json:"model,omitempty"`
	// Body is the client body (JSON, sent compact).
	Body   json.RawMessage     `json:"body,omitempty"`
	Header map[string][]string `json:"header,omitempty"`
	// Deadline, a Go duration ("50ms"), bounds the call; empty: none.
	Deadline string `json:"deadline,omitempty"`
}

// UpstreamRequest is what the replay server expects. The kit serves the
// provider at {server}/v1 and passes that as the request's BaseURL.
type UpstreamRequest struct {
	Method string `json:"method"`
	// Path is the full path, e.g. "/v1/chat/completions".
	Path string `json:"path"`
	// Header lists fields that must have exactly these values; the only
	// ones where {{secret}} may appear.
	Header map[string]string `json:"header,omitempty"`
	// Body, if set, must equal the body sent.
	Body json.RawMessage `json:"body,omitempty"`
}

// UpstreamResponse is a recorded provider answer.
type UpstreamResponse struct {
	Status int               `json:"status"`
	Header map[string]string `json:"header,omitempty"`
	// Body is the whole body; or Chunks, written and flushed one by one.
	Body   json.RawMessage `json:"body,omitempty"`
	Chunks []string        `json:"chunks,omitempty"`
	// AwaitFirstByte withholds every chunk after the first until the host
	// has read a byte of the answer: an adapter (or boundary) that buffers
	// the stream fails instead of deadlocking.
	AwaitFirstByte bool `json:"await_first_byte,omitempty"`
	// Fault breaks the answer: "reset_before_headers" or "stall_before_headers"
	// (until the call is abandoned), or "reset_after_chunks" /
	// "stall_after_chunks" (after the whole recorded body).
	Fault string `json:"fault,omitempty"`
}

// Want is what the host must get.
type Want struct {
	// Error: the call itself (Do or Models) fails, with class Result.
	Error bool `json:"error,omitempty"`
	// ReadError: the body fails before its end, with class Result.
	ReadError bool `json:"read_error,omitempty"`
	// Status and Header (fields that must have these values) of the answer.
	Status int               `json:"status,omitempty"`
	Header map[string]string `json:"header,omitempty"`
	// Body (or Chunks, concatenated) is the body the host reads.
	Body   json.RawMessage `json:"body,omitempty"`
	Chunks []string        `json:"chunks,omitempty"`
	// Result is the outcome's (or the error's) class.
	Result abi.Result `json:"result"`
	Usage  abi.Usage  `json:"usage"`
	// RateLimit must equal the response's; absent means nil.
	RateLimit *abi.RateLimit `json:"rate_limit,omitempty"`
	// RetryAfter is a Go duration; empty means zero.
	RetryAfter string `json:"retry_after,omitempty"`
	// EstimateTokens, if set, is what EstimateTokens must return for the
	// request.
	EstimateTokens *int64 `json:"estimate_tokens,omitempty"`
	// Models is what Models must return (for endpoint "models").
	Models []Model `json:"models,omitempty"`
}

// Model is an expected [sdk.Model].
type Model struct {
	ID      string `json:"id"`
	OwnedBy string `json:"owned_by,omitempty"`
}

// Faults a cassette's upstream can inject.
const (
	faultResetBeforeHeaders = "reset_before_headers"
	faultStallBeforeHeaders = "stall_before_headers"
	faultResetAfterChunks   = "reset_after_chunks"
	faultStallAfterChunks   = "stall_after_chunks"
)

// loadCassettes reads every *.json cassette in dir, in name order.
func loadCassettes(dir string) ([]Cassette, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("sdktest: no cassettes (*.json) in %s", dir)
	}
	cassettes := make([]Cassette, 0, len(paths))
	for _, path := range paths {
		c, err := loadCassette(path)
		if err != nil {
			return nil, err
		}
		cassettes = append(cassettes, c)
	}
	return cassettes, nil
}

// loadCassette reads and checks one cassette; unknown fields are errors.
func loadCassette(path string) (Cassette, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Cassette{}, err
	}
	var c Cassette
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Cassette{}, fmt.Errorf("sdktest: cassette %s: %w", path, err)
	}
	c.Name = strings.TrimSuffix(filepath.Base(path), ".json")
	switch c.UpstreamResponse.Fault {
	case "", faultResetBeforeHeaders, faultStallBeforeHeaders, faultResetAfterChunks, faultStallAfterChunks:
	default:
		return Cassette{}, fmt.Errorf("sdktest: cassette %s: unknown fault %q", path, c.UpstreamResponse.Fault)
	}
	if _, err := c.deadline(); err != nil {
		return Cassette{}, fmt.Errorf("sdktest: cassette %s: deadline: %w", path, err)
	}
	if _, err := c.retryAfter(); err != nil {
		return Cassette{}, fmt.Errorf("sdktest: cassette %s: retry_after: %w", path, err)
	}
	return c, nil
}

func (c *Cassette) deadline() (time.Duration, error) {
	if c.Request.Deadline == "" {
		return 0, nil
	}
	return time.ParseDuration(c.Request.Deadline)
}

func (c *Cassette) retryAfter() (abi.Duration, error) {
	if c.Want.RetryAfter == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(c.Want.RetryAfter)
	return abi.Duration(d), err
}

// isStream reports whether the cassette is a plain streamed success: the
// kind the lifecycle checks (cancel, close, plugin death) replay.
func (c *Cassette) isStream() bool {
	return len(c.UpstreamResponse.Chunks) >= 2 && c.UpstreamResponse.Fault == "" &&
		c.UpstreamResponse.Status/100 == 2 && !c.Want.Error && !c.Want.ReadError
}

// bodyBytes returns a cassette body's bytes: a JSON string's contents, or
// any other JSON value compacted; nil for no body. {{secret}} becomes
// [Secret].
func bodyBytes(raw json.RawMessage) ([]byte, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return []byte(withSecret(s)), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(buf.Bytes(), []byte(secretPlaceholder), []byte(Secret)), nil
}

// withSecret replaces {{secret}} with [Secret].
func withSecret(s string) string { return strings.ReplaceAll(s, secretPlaceholder, Secret) }
