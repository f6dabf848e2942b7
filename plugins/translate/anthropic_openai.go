package translate

import (
	"github.com/tidwall/gjson"
)

// AnthropicToOpenAI translates one Anthropic Messages call for an
// OpenAI-compatible chat completions API, and the answer back:
// [AnthropicToOpenAI.RequestBody] first, then the response method that
// fits the answer. Use one per call; it is not safe for concurrent use.
type AnthropicToOpenAI struct{}

// NewAnthropicToOpenAI returns a translator for one call.
func NewAnthropicToOpenAI() *AnthropicToOpenAI { return &AnthropicToOpenAI{} }

// RequestBody translates a Messages request into a chat completion
// request. It never modifies raw and gives the same bytes each time.
//
// "system" becomes the first message (a string stays a string, text blocks
// become text parts); a user turn's tool_result blocks become tool messages
// ahead of the rest of the turn, its text and image blocks (base64 as a
// data URL) the parts of a user message; an assistant turn's text blocks
// become its content and its tool_use blocks its tool_calls. max_tokens,
// temperature, top_p, stop_sequences (stop), stream (with
// stream_options.include_usage, so that usage is always reported), custom
// tools, tool_choice (disable_parallel_tool_use as parallel_tool_calls) and
// metadata.user_id (user) carry over. A field with no equivalent (top_k,
// thinking, server tools, documents, is_error …) is a [*FieldError] naming
// it. cache_control is a caching hint OpenAI-compatible APIs have no use
// for (OpenAI caches prompts by itself): it is accepted and not carried.
func (t *AnthropicToOpenAI) RequestBody(raw []byte) ([]byte, error) {
	doc, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	var (
		out      openAIRequest
		system   *openAIMessage
		messages []openAIMessage
	)
	err = members(doc, func(key string, v gjson.Result) error {
		var err error
		switch key {
		case "model":
			out.Model, err = str(v, key)
		case "system":
			system, err = openAISystem(v)
		case "messages":
			messages, err = openAIMessages(v)
		case "max_tokens":
			out.MaxTokens, err = integer(v, key)
		case "temperature":
			out.Temperature, err = number(v, key)
		case "top_p":
			out.TopP, err = number(v, key)
		case "stop_sequences":
			if _, err = array(v, key); err == nil {
				out.Stop, err = stringList(v, key)
			}
		case "stream":
			out.Stream, err = boolean(v, key)
		case "metadata":
			out.User, err = metadataUser(v)
		case "tools":
			out.Tools, err = openAITools(v)
		case "tool_choice":
			out.ToolChoice, out.ParallelToolCalls, err = openAIToolChoiceOf(v)
		case "thinking":
			if v.Get("type").Str != "disabled" {
				err = refuse(key, "extended thinking has no OpenAI chat completions equivalent")
			}
		default:
			err = refuse(key, "has no OpenAI equivalent")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if system != nil {
		out.Messages = append(out.Messages, *system)
	}
	out.Messages = append(out.Messages, messages...)
	if out.Messages == nil {
		out.Messages = []openAIMessage{}
	}
	if out.Stream {
		out.StreamOptions = &openAIStreamOptions{IncludeUsage: true}
	}
	return marshal(out)
}

// metadataUser reads metadata, whose only field is user_id.
func metadataUser(v gjson.Result) (string, error) {
	if _, err := object(v, "metadata"); err != nil {
		return "", err
	}
	var user string
	err := members(v, func(key string, v gjson.Result) error {
		if key != "user_id" {
			return refuse("metadata."+key, "has no OpenAI equivalent")
		}
		var err error
		user, err = str(v, "metadata.user_id")
		return err
	})
	return user, err
}

// blockFields refuses a content block member other than those listed and
// cache_control, the caching hint every block may carry.
func blockFields(b gjson.Result, path string, allowed ...string) error {
	if _, err := object(b, path); err != nil {
		return err
	}
	return members(b, func(key string, _ gjson.Result) error {
		if key == "cache_control" {
			return nil
		}
		for _, a := range allowed {
			if key == a {
				return nil
			}
		}
		return refuse(path+"."+key, "has no OpenAI equivalent")
	})
}

// openAISystem translates "system": a string, or text blocks.
func openAISystem(v gjson.Result) (*openAIMessage, error) {
	if v.Type == gjson.String {
		return &openAIMessage{Role: "system", Content: v.Str}, nil
	}
	parts, err := openAITextParts(v, "system")
	return &openAIMessage{Role: "system", Content: parts}, err
}

// openAITextParts translates an array of text blocks to text parts.
func openAITextParts(v gjson.Result, path string) ([]any, error) {
	if !v.IsArray() {
		return nil, refuse(path, "must be a string or an array of text blocks")
	}
	parts := []any{}
	err := items(v, func(i int, b gjson.Result) error {
		text, err := textBlock(b, path+index(i))
		parts = append(parts, openAIText{Type: "text", Text: text})
		return err
	})
	return parts, err
}

// textBlock reads {"type":"text","text":…}.
func textBlock(b gjson.Result, path string) (string, error) {
	if typ := b.Get("type").Str; typ != "text" {
		return "", refuse(path+".type", "block type "+quote(typ)+" has no OpenAI equivalent here")
	}
	if err := blockFields(b, path, "type", "text"); err != nil {
		return "", err
	}
	return str(b.Get("text"), path+".text")
}

// openAIMessages translates the turns.
func openAIMessages(v gjson.Result) ([]openAIMessage, error) {
	if _, err := array(v, "messages"); err != nil {
		return nil, err
	}
	out := []openAIMessage{}
	err := items(v, func(i int, m gjson.Result) error {
		path := "messages" + index(i)
		if _, err := object(m, path); err != nil {
			return err
		}
		if err := members(m, func(key string, _ gjson.Result) error {
			if key != "role" && key != "content" {
				return refuse(path+"."+key, "has no OpenAI equivalent")
			}
			return nil
		}); err != nil {
			return err
		}
		c := m.Get("content")
		switch role := m.Get("role").Str; role {
		case "user":
			msgs, err := openAIUserTurn(c, path+".content")
			out = append(out, msgs...)
			return err
		case "assistant":
			msg, err := openAIAssistantTurn(c, path+".content")
			out = append(out, msg)
			return err
		default:
			return refuse(path+".role", "must be user or assistant")
		}
	})
	return out, err
}

// openAIUserTurn translates a user turn: its tool results become tool
// messages, the rest one user message after them.
func openAIUserTurn(c gjson.Result, path string) ([]openAIMessage, error) {
	if c.Type == gjson.String {
		return []openAIMessage{{Role: "user", Content: c.Str}}, nil
	}
	if !c.IsArray() {
		return nil, refuse(path, "must be a string or an array of content blocks")
	}
	var tools []openAIMessage
	var parts []any
	err := items(c, func(i int, b gjson.Result) error {
		bpath := path + index(i)
		switch typ := b.Get("type").Str; typ {
		case "text":
			text, err := textBlock(b, bpath)
			parts = append(parts, openAIText{Type: "text", Text: text})
			return err
		case "image":
			img, err := openAIImagePart(b, bpath)
			parts = append(parts, img)
			return err
		case "tool_result":
			msg, err := openAIToolMessage(b, bpath)
			tools = append(tools, msg)
			return err
		default:
			return refuse(bpath+".type", "block type "+quote(typ)+" has no OpenAI equivalent")
		}
	})
	if len(parts) > 0 {
		tools = append(tools, openAIMessage{Role: "user", Content: parts})
	}
	return tools, err
}

// openAIImagePart translates an image block: base64 as a data URL, url as
// it is.
func openAIImagePart(b gjson.Result, path string) (openAIImage, error) {
	img := openAIImage{Type: "image_url"}
	if err := blockFields(b, path, "type", "source"); err != nil {
		return img, err
	}
	src := b.Get("source")
	switch typ := src.Get("type").Str; typ {
	case "base64":
		if err := blockFields(src, path+".source", "type", "media_type", "data"); err != nil {
			return img, err
		}
		mediaType, err := str(src.Get("media_type"), path+".source.media_type")
		if err != nil {
			return img, err
		}
		data, err := str(src.Get("data"), path+".source.data")
		img.ImageURL.URL = "data:" + mediaType + ";base64," + data
		return img, err
	case "url":
		if err := blockFields(src, path+".source", "type", "url"); err != nil {
			return img, err
		}
		url, err := str(src.Get("url"), path+".source.url")
		img.ImageURL.URL = url
		return img, err
	default:
		return img, refuse(path+".source.type", "image source "+quote(typ)+" has no OpenAI equivalent")
	}
}

// openAIToolMessage translates a tool_result block to a tool message.
func openAIToolMessage(b gjson.Result, path string) (openAIMessage, error) {
	msg := openAIMessage{Role: "tool"}
	if err := blockFields(b, path, "type", "tool_use_id", "content", "is_error"); err != nil {
		return msg, err
	}
	if isErr := b.Get("is_error"); isSet(isErr) && isErr.Type != gjson.False {
		return msg, refuse(path+".is_error", "OpenAI tool messages cannot be marked as errors")
	}
	var err error
	if msg.ToolCallID, err = str(b.Get("tool_use_id"), path+".tool_use_id"); err != nil {
		return msg, err
	}
	switch c := b.Get("content"); {
	case !isSet(c):
		msg.Content = ""
	case c.Type == gjson.String:
		msg.Content = c.Str
	default:
		msg.Content, err = openAITextParts(c, path+".content")
	}
	return msg, err
}

// openAIAssistantTurn translates an assistant turn: its text blocks joined
// as the content (they are pieces of one reply), its tool_use blocks as
// tool calls.
func openAIAssistantTurn(c gjson.Result, path string) (openAIMessage, error) {
	msg := openAIMessage{Role: "assistant"}
	if c.Type == gjson.String {
		msg.Content = c.Str
		return msg, nil
	}
	if !c.IsArray() {
		return msg, refuse(path, "must be a string or an array of content blocks")
	}
	var text []byte
	hasText := false
	err := items(c, func(i int, b gjson.Result) error {
		bpath := path + index(i)
		switch typ := b.Get("type").Str; typ {
		case "text":
			t, err := textBlock(b, bpath)
			text, hasText = append(text, t...), true
			return err
		case "tool_use":
			if err := blockFields(b, bpath, "type", "id", "name", "input"); err != nil {
				return err
			}
			id, err := str(b.Get("id"), bpath+".id")
			if err != nil {
				return err
			}
			name, err := str(b.Get("name"), bpath+".name")
			if err != nil {
				return err
			}
			input, err := object(b.Get("input"), bpath+".input")
			msg.ToolCalls = append(msg.ToolCalls, openAIToolCall{ID: id, Type: "function",
				Function: openAIFunction{Name: name, Arguments: compactJSON(input)}})
			return err
		default:
			return refuse(bpath+".type", "block type "+quote(typ)+" has no OpenAI equivalent")
		}
	})
	if hasText {
		msg.Content = string(text)
	}
	return msg, err
}

// openAITools translates custom tools to function tools.
func openAITools(v gjson.Result) ([]openAITool, error) {
	if _, err := array(v, "tools"); err != nil {
		return nil, err
	}
	var out []openAITool
	err := items(v, func(i int, tool gjson.Result) error {
		path := "tools" + index(i)
		if typ := tool.Get("type"); isSet(typ) && typ.Str != "custom" {
			return refuse(path+".type", "server tool "+quote(typ.Str)+" has no OpenAI equivalent")
		}
		if err := blockFields(tool, path, "type", "name", "description", "input_schema"); err != nil {
			return err
		}
		fn := openAIFunctionDef{}
		var err error
		if fn.Name, err = str(tool.Get("name"), path+".name"); err != nil {
			return err
		}
		if d := tool.Get("description"); isSet(d) {
			if fn.Description, err = str(d, path+".description"); err != nil {
				return err
			}
		}
		schema, err := object(tool.Get("input_schema"), path+".input_schema")
		fn.Parameters = []byte(schema.Raw)
		out = append(out, openAITool{Type: "function", Function: fn})
		return err
	})
	return out, err
}

// openAIToolChoiceOf translates tool_choice; disable_parallel_tool_use
// becomes parallel_tool_calls false.
func openAIToolChoiceOf(v gjson.Result) (any, *bool, error) {
	if _, err := object(v, "tool_choice"); err != nil {
		return nil, nil, err
	}
	var choice any
	var parallel *bool
	var err error
	switch typ := v.Get("type").Str; typ {
	case "auto", "none":
		choice = typ
		err = blockFields(v, "tool_choice", "type", "disable_parallel_tool_use")
	case "any":
		choice = "required"
		err = blockFields(v, "tool_choice", "type", "disable_parallel_tool_use")
	case "tool":
		var name string
		if err = blockFields(v, "tool_choice", "type", "name", "disable_parallel_tool_use"); err == nil {
			name, err = str(v.Get("name"), "tool_choice.name")
		}
		choice = openAINamedToolChoice{Type: "function", Function: openAIFunctionName{Name: name}}
	default:
		return nil, nil, refuse("tool_choice.type", "tool choice "+quote(typ)+" has no OpenAI equivalent")
	}
	if err != nil {
		return nil, nil, err
	}
	if d := v.Get("disable_parallel_tool_use"); isSet(d) {
		var disable bool
		if disable, err = boolean(d, "tool_choice.disable_parallel_tool_use"); disable {
			no := false
			parallel = &no
		}
	}
	return choice, parallel, err
}
