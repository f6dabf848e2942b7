package translate

import "encoding/json"

// The bodies translations write, as the two APIs define them. Reading goes
// through gjson instead, field by field, so that nothing unknown slips
// through unnoticed.

// anthropicRequest is a Messages API request.
type anthropicRequest struct {
	Model         string               `json:"model,omitempty"`
	System        any                  `json:"system,omitempty"` // string or []anthropicText
	Messages      []anthropicMessage   `json:"messages"`
	MaxTokens     int64                `json:"max_tokens"`
	StopSequences []string             `json:"stop_sequences,omitempty"`
	Temperature   json.RawMessage      `json:"temperature,omitempty"`
	TopP          json.RawMessage      `json:"top_p,omitempty"`
	Stream        bool                 `json:"stream,omitempty"`
	Tools         []anthropicTool      `json:"tools,omitempty"`
	ToolChoice    *anthropicToolChoice `json:"tool_choice,omitempty"`
	Metadata      *anthropicMetadata   `json:"metadata,omitempty"`
}

type anthropicMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"` // string or []any of the block types below
}

type anthropicText struct {
	Type string `json:"type"` // "text"
	Text string `json:"text"`
}

type anthropicImage struct {
	Type   string          `json:"type"` // "image"
	Source anthropicSource `json:"source"`
}

type anthropicSource struct {
	Type      string `json:"type"` // "base64" or "url"
	MediaType string `json:"media_type,omitempty"`
	Data      string `json:"data,omitempty"`
	URL       string `json:"url,omitempty"`
}

type anthropicToolUse struct {
	Type  string          `json:"type"` // "tool_use"
	ID    string          `json:"id"`
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
}

type anthropicToolResult struct {
	Type      string `json:"type"` // "tool_result"
	ToolUseID string `json:"tool_use_id"`
	Content   any    `json:"content"` // string or []anthropicText
}

type anthropicTool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

type anthropicToolChoice struct {
	Type                   string `json:"type"` // auto, any, tool, none
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use,omitempty"`
}

type anthropicMetadata struct {
	UserID string `json:"user_id"`
}

// anthropicResponse is a Messages API answer.
type anthropicResponse struct {
	ID           string         `json:"id"`
	Type         string         `json:"type"` // "message"
	Role         string         `json:"role"` // "assistant"
	Model        string         `json:"model"`
	Content      []any          `json:"content"` // anthropicText, anthropicToolUse
	StopReason   *string        `json:"stop_reason"`
	StopSequence *string        `json:"stop_sequence"`
	Usage        anthropicUsage `json:"usage"`
}

type anthropicUsage struct {
	InputTokens              int64 `json:"input_tokens"`
	CacheCreationInputTokens int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int64 `json:"cache_read_input_tokens"`
	OutputTokens             int64 `json:"output_tokens"`
}

// anthropicError is the Messages API's error body, and its stream's error
// event.
type anthropicError struct {
	Type  string               `json:"type"` // "error"
	Error anthropicErrorDetail `json:"error"`
}

type anthropicErrorDetail struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// openAIRequest is a chat completion request.
type openAIRequest struct {
	Model             string               `json:"model,omitempty"`
	Messages          []openAIMessage      `json:"messages"`
	MaxTokens         int64                `json:"max_tokens,omitempty"`
	Stop              []string             `json:"stop,omitempty"`
	Temperature       json.RawMessage      `json:"temperature,omitempty"`
	TopP              json.RawMessage      `json:"top_p,omitempty"`
	Stream            bool                 `json:"stream,omitempty"`
	StreamOptions     *openAIStreamOptions `json:"stream_options,omitempty"`
	Tools             []openAITool         `json:"tools,omitempty"`
	ToolChoice        any                  `json:"tool_choice,omitempty"` // string or openAINamedToolChoice
	ParallelToolCalls *bool                `json:"parallel_tool_calls,omitempty"`
	User              string               `json:"user,omitempty"`
}

type openAIStreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type openAIMessage struct {
	Role       string           `json:"role"`
	Content    any              `json:"content"` // string, []any of parts, or nil
	ToolCalls  []openAIToolCall `json:"tool_calls,omitempty"`
	ToolCallID string           `json:"tool_call_id,omitempty"`
}

type openAIText struct {
	Type string `json:"type"` // "text"
	Text string `json:"text"`
}

type openAIImage struct {
	Type     string         `json:"type"` // "image_url"
	ImageURL openAIImageURL `json:"image_url"`
}

type openAIImageURL struct {
	URL string `json:"url"`
}

type openAIToolCall struct {
	// Index is set in stream deltas only.
	Index    *int           `json:"index,omitempty"`
	ID       string         `json:"id,omitempty"`
	Type     string         `json:"type,omitempty"` // "function"
	Function openAIFunction `json:"function"`
}

type openAIFunction struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type openAITool struct {
	Type     string            `json:"type"` // "function"
	Function openAIFunctionDef `json:"function"`
}

type openAIFunctionDef struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

type openAINamedToolChoice struct {
	Type     string             `json:"type"` // "function"
	Function openAIFunctionName `json:"function"`
}

type openAIFunctionName struct {
	Name string `json:"name"`
}

// openAIResponse is a chat completion, or one chunk of a streamed one.
type openAIResponse struct {
	ID      string         `json:"id"`
	Object  string         `json:"object"` // "chat.completion" or "chat.completion.chunk"
	Created int64          `json:"created"`
	Model   string         `json:"model"`
	Choices []openAIChoice `json:"choices"`
	Usage   *openAIUsage   `json:"usage,omitempty"`
}

type openAIChoice struct {
	Index        int            `json:"index"`
	Message      *openAIMessage `json:"message,omitempty"`
	Delta        *openAIDelta   `json:"delta,omitempty"`
	Logprobs     *struct{}      `json:"logprobs"` // always null
	FinishReason *string        `json:"finish_reason"`
}

type openAIDelta struct {
	Role      string           `json:"role,omitempty"`
	Content   *string          `json:"content,omitempty"`
	ToolCalls []openAIToolCall `json:"tool_calls,omitempty"`
}

type openAIUsage struct {
	PromptTokens        int64                     `json:"prompt_tokens"`
	CompletionTokens    int64                     `json:"completion_tokens"`
	TotalTokens         int64                     `json:"total_tokens"`
	PromptTokensDetails openAIPromptTokensDetails `json:"prompt_tokens_details"`
}

type openAIPromptTokensDetails struct {
	CachedTokens int64 `json:"cached_tokens"`
}

// openAIError is a chat completion error body, and a stream's error chunk.
type openAIError struct {
	Error openAIErrorDetail `json:"error"`
}

type openAIErrorDetail struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// The Messages API's stream events.

type messageStartEvent struct {
	Type    string            `json:"type"` // "message_start"
	Message anthropicResponse `json:"message"`
}

type contentBlockStartEvent struct {
	Type         string `json:"type"` // "content_block_start"
	Index        int    `json:"index"`
	ContentBlock any    `json:"content_block"` // anthropicText or anthropicToolUse
}

type contentBlockDeltaEvent struct {
	Type  string `json:"type"` // "content_block_delta"
	Index int    `json:"index"`
	Delta any    `json:"delta"` // textDelta or inputJSONDelta
}

type textDelta struct {
	Type string `json:"type"` // "text_delta"
	Text string `json:"text"`
}

type inputJSONDelta struct {
	Type        string `json:"type"` // "input_json_delta"
	PartialJSON string `json:"partial_json"`
}

type contentBlockStopEvent struct {
	Type  string `json:"type"` // "content_block_stop"
	Index int    `json:"index"`
}

type messageDeltaEvent struct {
	Type  string         `json:"type"` // "message_delta"
	Delta messageDelta   `json:"delta"`
	Usage anthropicUsage `json:"usage"`
}

type messageDelta struct {
	StopReason   *string `json:"stop_reason"`
	StopSequence *string `json:"stop_sequence"`
}

type messageStopEvent struct {
	Type string `json:"type"` // "message_stop"
}
