package gemini

import "encoding/json"

// Gemini's generateContent request, as far as the translation writes it
// (https://ai.google.dev/api/generate-content). Field order is the JSON's.
type (
	request struct {
		Contents          []content         `json:"contents"`
		SystemInstruction *content          `json:"systemInstruction,omitempty"`
		Tools             []tool            `json:"tools,omitempty"`
		ToolConfig        *toolConfig       `json:"toolConfig,omitempty"`
		GenerationConfig  *generationConfig `json:"generationConfig,omitempty"`
	}
	content struct {
		Role  string `json:"role,omitempty"`
		Parts []part `json:"parts"`
	}
	part struct {
		Text             *string           `json:"text,omitempty"`
		InlineData       *blob             `json:"inlineData,omitempty"`
		FileData         *fileData         `json:"fileData,omitempty"`
		FunctionCall     *functionCall     `json:"functionCall,omitempty"`
		FunctionResponse *functionResponse `json:"functionResponse,omitempty"`
	}
	blob struct {
		MimeType string `json:"mimeType"`
		Data     string `json:"data"`
	}
	fileData struct {
		MimeType string `json:"mimeType,omitempty"`
		FileURI  string `json:"fileUri"`
	}
	functionCall struct {
		Name string          `json:"name"`
		Args json.RawMessage `json:"args"`
	}
	functionResponse struct {
		Name     string          `json:"name"`
		Response json.RawMessage `json:"response"`
	}
	tool struct {
		FunctionDeclarations []functionDeclaration `json:"functionDeclarations"`
	}
	functionDeclaration struct {
		Name                 string          `json:"name"`
		Description          string          `json:"description,omitempty"`
		ParametersJSONSchema json.RawMessage `json:"parametersJsonSchema,omitempty"`
	}
	toolConfig struct {
		FunctionCallingConfig functionCallingConfig `json:"functionCallingConfig"`
	}
	functionCallingConfig struct {
		Mode                 string   `json:"mode"`
		AllowedFunctionNames []string `json:"allowedFunctionNames,omitempty"`
	}
	generationConfig struct {
		StopSequences      []string        `json:"stopSequences,omitempty"`
		CandidateCount     *int64          `json:"candidateCount,omitempty"`
		MaxOutputTokens    *int64          `json:"maxOutputTokens,omitempty"`
		Temperature        json.RawMessage `json:"temperature,omitempty"`
		TopP               json.RawMessage `json:"topP,omitempty"`
		PresencePenalty    json.RawMessage `json:"presencePenalty,omitempty"`
		FrequencyPenalty   json.RawMessage `json:"frequencyPenalty,omitempty"`
		Seed               *int64          `json:"seed,omitempty"`
		ResponseMimeType   string          `json:"responseMimeType,omitempty"`
		ResponseJSONSchema json.RawMessage `json:"responseJsonSchema,omitempty"`
		ThinkingConfig     *thinkingConfig `json:"thinkingConfig,omitempty"`
	}
	thinkingConfig struct {
		ThinkingBudget int64 `json:"thinkingBudget"`
	}
)

// OpenAI's chat completion answer and stream chunk, as the translation
// writes them.
type (
	chatCompletion struct {
		ID      string       `json:"id"`
		Object  string       `json:"object"`
		Created int64        `json:"created"`
		Model   string       `json:"model"`
		Choices []chatChoice `json:"choices"`
		Usage   *chatUsage   `json:"usage,omitempty"`
	}
	chatChoice struct {
		Index        int64        `json:"index"`
		Message      *chatMessage `json:"message,omitempty"`
		Delta        *chatDelta   `json:"delta,omitempty"`
		FinishReason *string      `json:"finish_reason"`
	}
	chatMessage struct {
		Role      string     `json:"role"`
		Content   *string    `json:"content"`
		ToolCalls []toolCall `json:"tool_calls,omitempty"`
	}
	chatDelta struct {
		Role      string     `json:"role,omitempty"`
		Content   *string    `json:"content,omitempty"`
		ToolCalls []toolCall `json:"tool_calls,omitempty"`
	}
	toolCall struct {
		Index    *int64           `json:"index,omitempty"`
		ID       string           `json:"id"`
		Type     string           `json:"type"`
		Function toolCallFunction `json:"function"`
	}
	toolCallFunction struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	}
	chatUsage struct {
		PromptTokens            int64               `json:"prompt_tokens"`
		CompletionTokens        int64               `json:"completion_tokens"`
		TotalTokens             int64               `json:"total_tokens"`
		PromptTokensDetails     *promptDetails      `json:"prompt_tokens_details,omitempty"`
		CompletionTokensDetails *completionsDetails `json:"completion_tokens_details,omitempty"`
	}
	promptDetails struct {
		CachedTokens int64 `json:"cached_tokens"`
	}
	completionsDetails struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
	}
)
