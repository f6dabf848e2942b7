package translate

import (
	"encoding/json"
	"strings"

	"github.com/tidwall/gjson"
)

// DefaultMaxTokens is the max_tokens of a Messages request translated from
// an OpenAI request that set neither max_tokens nor max_completion_tokens:
// Anthropic requires one. 4096 is within every Claude model's output limit.
const DefaultMaxTokens = 4096

// OpenAIToAnthropic translates one OpenAI chat completion call for
// Anthropic's Messages API, and the answer back: [OpenAIToAnthropic.RequestBody]
// first, then the response method that fits the answer. It keeps what the
// request said that the answer's translation needs (whether the client
// asked for the stream's usage), so use one per call. It is not safe for
// concurrent use.
type OpenAIToAnthropic struct {
	includeUsage bool
}

// NewOpenAIToAnthropic returns a translator for one call.
func NewOpenAIToAnthropic() *OpenAIToAnthropic { return &OpenAIToAnthropic{} }

// RequestBody translates an OpenAI chat completion request into a Messages
// request. It never modifies raw and gives the same bytes each time.
//
// System and developer messages become "system" (in order, wherever they
// were); user, assistant and tool messages become the turns, consecutive
// tool messages one user turn of tool_result blocks; tool calls become
// tool_use blocks, images by URL or data URL image blocks; max_tokens or
// max_completion_tokens becomes max_tokens, [DefaultMaxTokens] if neither;
// temperature (at most 1), top_p, stop, stream, tools, tool_choice,
// parallel_tool_calls and user carry over. A field with no equivalent, or a
// value Anthropic cannot honour (n > 1, logprobs, audio parts,
// response_format json_schema …), is a [*FieldError] naming it.
// image_url.detail is a hint Anthropic has no use for: it is accepted and
// not carried.
func (t *OpenAIToAnthropic) RequestBody(raw []byte) ([]byte, error) {
	doc, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	var (
		out                      anthropicRequest
		maxTokens, maxCompletion int64
		system                   systemPrompt
		noParallel, includeUsage bool
	)
	err = members(doc, func(key string, v gjson.Result) error {
		var err error
		switch key {
		case "model":
			out.Model, err = str(v, key)
		case "messages":
			out.Messages, err = anthropicMessages(v, &system)
		case "max_tokens":
			maxTokens, err = integer(v, key)
		case "max_completion_tokens":
			maxCompletion, err = integer(v, key)
		case "temperature":
			if out.Temperature, err = number(v, key); err == nil && v.Float() > 1 {
				err = refuse(key, "Anthropic accepts 0 to 1")
			}
		case "top_p":
			out.TopP, err = number(v, key)
		case "stop":
			out.StopSequences, err = stringList(v, key)
		case "stream":
			out.Stream, err = boolean(v, key)
		case "stream_options":
			includeUsage, err = streamOptions(v)
		case "tools":
			out.Tools, err = anthropicTools(v)
		case "tool_choice":
			out.ToolChoice, err = anthropicToolChoiceOf(v)
		case "parallel_tool_calls":
			var parallel bool
			parallel, err = boolean(v, key)
			noParallel = !parallel
		case "user":
			var user string
			user, err = str(v, key)
			out.Metadata = &anthropicMetadata{UserID: user}
		default:
			err = neutral(key, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case maxCompletion > 0:
		out.MaxTokens = maxCompletion
	case maxTokens > 0:
		out.MaxTokens = maxTokens
	default:
		out.MaxTokens = DefaultMaxTokens
	}
	out.System = system.value()
	if noParallel {
		switch {
		case out.ToolChoice == nil:
			out.ToolChoice = &anthropicToolChoice{Type: "auto", DisableParallelToolUse: true}
		case out.ToolChoice.Type != "none":
			out.ToolChoice.DisableParallelToolUse = true
		}
	}
	t.includeUsage = out.Stream && includeUsage
	return marshal(out)
}

// neutral accepts an OpenAI field that has no Anthropic equivalent only
// when it asks for what Anthropic does anyway; otherwise it refuses it.
func neutral(key string, v gjson.Result) error {
	ok := false
	switch key {
	case "n":
		ok = v.Raw == "1"
		if !ok {
			return refuse(key, "Anthropic gives one choice: n must be 1")
		}
	case "logprobs", "store":
		ok = v.Type == gjson.False
	case "presence_penalty", "frequency_penalty":
		ok = v.Type == gjson.Number && v.Float() == 0
	case "modalities":
		ok = v.IsArray() && len(v.Array()) == 1 && v.Array()[0].Str == "text"
	case "response_format":
		ok = v.IsObject() && v.Get("type").Str == "text" && len(v.Map()) == 1
	}
	if !ok {
		return refuse(key, "has no Anthropic equivalent")
	}
	return nil
}

// streamOptions reads stream_options: include_usage is the only option.
func streamOptions(v gjson.Result) (bool, error) {
	if _, err := object(v, "stream_options"); err != nil {
		return false, err
	}
	var include bool
	err := members(v, func(key string, v gjson.Result) error {
		if key != "include_usage" {
			return refuse("stream_options."+key, "has no Anthropic equivalent")
		}
		var err error
		include, err = boolean(v, "stream_options.include_usage")
		return err
	})
	return include, err
}

// systemPrompt gathers the system and developer messages.
type systemPrompt struct {
	blocks []anthropicText
	// plain is set while the prompt is one message with a string content,
	// which stays a string.
	plain bool
}

func (s *systemPrompt) add(blocks []anthropicText, plain bool) {
	s.plain = len(s.blocks) == 0 && plain
	s.blocks = append(s.blocks, blocks...)
}

// value returns "system": nil, a string or text blocks.
func (s *systemPrompt) value() any {
	switch {
	case len(s.blocks) == 0:
		return nil
	case s.plain:
		return s.blocks[0].Text
	}
	return s.blocks
}

// anthropicMessages translates "messages", moving system and developer
// messages to system.
func anthropicMessages(v gjson.Result, system *systemPrompt) ([]anthropicMessage, error) {
	if _, err := array(v, "messages"); err != nil {
		return nil, err
	}
	out := []anthropicMessage{}
	toolTurn := false // the last turn holds tool results only
	err := items(v, func(i int, m gjson.Result) error {
		path := "messages" + index(i)
		if _, err := object(m, path); err != nil {
			return err
		}
		role, err := str(m.Get("role"), path+".role")
		if err != nil {
			return err
		}
		switch role {
		case "system", "developer":
			blocks, plain, err := systemMessage(m, path)
			system.add(blocks, plain)
			return err
		case "user":
			msg, err := userMessage(m, path)
			out, toolTurn = append(out, msg), false
			return err
		case "assistant":
			msg, err := assistantMessage(m, path)
			out, toolTurn = append(out, msg), false
			return err
		case "tool":
			result, err := toolMessage(m, path)
			if toolTurn {
				last := &out[len(out)-1]
				last.Content = append(last.Content.([]any), result)
			} else {
				out = append(out, anthropicMessage{Role: "user", Content: []any{result}})
			}
			toolTurn = true
			return err
		}
		return refuse(path+".role", "role "+quote(role)+" has no Anthropic equivalent")
	})
	return out, err
}

// onlyFields refuses a message member other than those listed.
func onlyFields(m gjson.Result, path string, allowed ...string) error {
	return members(m, func(key string, _ gjson.Result) error {
		for _, a := range allowed {
			if key == a {
				return nil
			}
		}
		return refuse(path+"."+key, "has no Anthropic equivalent")
	})
}

// systemMessage translates a system or developer message's content to
// text blocks; plain reports a string content.
func systemMessage(m gjson.Result, path string) ([]anthropicText, bool, error) {
	if err := onlyFields(m, path, "role", "content"); err != nil {
		return nil, false, err
	}
	c := m.Get("content")
	if c.Type == gjson.String {
		return []anthropicText{{Type: "text", Text: c.Str}}, true, nil
	}
	blocks, err := textParts(c, path+".content")
	return blocks, false, err
}

// textParts translates content that may hold text parts only.
func textParts(c gjson.Result, path string) ([]anthropicText, error) {
	if _, err := array(c, path); err != nil {
		return nil, refuse(path, "must be a string or an array of text parts")
	}
	var out []anthropicText
	err := items(c, func(i int, part gjson.Result) error {
		text, err := textPart(part, path+index(i))
		out = append(out, text)
		return err
	})
	return out, err
}

// textPart translates {"type":"text","text":…}.
func textPart(part gjson.Result, path string) (anthropicText, error) {
	if typ := part.Get("type").Str; typ != "text" {
		return anthropicText{}, refuse(path+".type", "part type "+quote(typ)+" has no Anthropic equivalent here")
	}
	if err := onlyFields(part, path, "type", "text"); err != nil {
		return anthropicText{}, err
	}
	text, err := str(part.Get("text"), path+".text")
	return anthropicText{Type: "text", Text: text}, err
}

// userMessage translates a user message: a string, or text and image
// parts.
func userMessage(m gjson.Result, path string) (anthropicMessage, error) {
	msg := anthropicMessage{Role: "user"}
	if err := onlyFields(m, path, "role", "content"); err != nil {
		return msg, err
	}
	c := m.Get("content")
	if c.Type == gjson.String {
		msg.Content = c.Str
		return msg, nil
	}
	path += ".content"
	if _, err := array(c, path); err != nil {
		return msg, refuse(path, "must be a string or an array of parts")
	}
	blocks := []any{}
	err := items(c, func(i int, part gjson.Result) error {
		ppath := path + index(i)
		if part.Get("type").Str == "image_url" {
			img, err := imagePart(part, ppath)
			blocks = append(blocks, img)
			return err
		}
		text, err := textPart(part, ppath)
		blocks = append(blocks, text)
		return err
	})
	msg.Content = blocks
	return msg, err
}

// imagePart translates an image_url part: a data URL becomes a base64
// source, an http(s) URL a url source.
func imagePart(part gjson.Result, path string) (anthropicImage, error) {
	img := anthropicImage{Type: "image"}
	if err := onlyFields(part, path, "type", "image_url"); err != nil {
		return img, err
	}
	iu := part.Get("image_url")
	if err := onlyFields(iu, path+".image_url", "url", "detail"); err != nil {
		return img, err
	}
	url, err := str(iu.Get("url"), path+".image_url.url")
	if err != nil {
		return img, err
	}
	if rest, ok := strings.CutPrefix(url, "data:"); ok {
		mediaType, data, ok := strings.Cut(rest, ";base64,")
		if !ok || mediaType == "" {
			return img, refuse(path+".image_url.url", "a data URL must be data:<media type>;base64,<data>")
		}
		img.Source = anthropicSource{Type: "base64", MediaType: mediaType, Data: data}
		return img, nil
	}
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return img, refuse(path+".image_url.url", "must be an http(s) or data URL")
	}
	img.Source = anthropicSource{Type: "url", URL: url}
	return img, nil
}

// assistantMessage translates an assistant turn: its text, then its tool
// calls as tool_use blocks.
func assistantMessage(m gjson.Result, path string) (anthropicMessage, error) {
	msg := anthropicMessage{Role: "assistant"}
	if err := onlyFields(m, path, "role", "content", "tool_calls"); err != nil {
		return msg, err
	}
	c, calls := m.Get("content"), m.Get("tool_calls")
	if !isSet(calls) && c.Type == gjson.String {
		msg.Content = c.Str
		return msg, nil
	}
	blocks := []any{}
	switch {
	case c.Type == gjson.String && c.Str != "": // an empty text beside tool calls says nothing
		blocks = append(blocks, anthropicText{Type: "text", Text: c.Str})
	case isSet(c) && c.Type != gjson.String:
		texts, err := textParts(c, path+".content")
		if err != nil {
			return msg, err
		}
		for _, t := range texts {
			blocks = append(blocks, t)
		}
	}
	if isSet(calls) {
		if _, err := array(calls, path+".tool_calls"); err != nil {
			return msg, err
		}
		err := items(calls, func(i int, call gjson.Result) error {
			use, err := toolUse(call, path+".tool_calls"+index(i))
			blocks = append(blocks, use)
			return err
		})
		if err != nil {
			return msg, err
		}
	}
	msg.Content = blocks
	return msg, nil
}

// toolUse translates one tool call; its arguments must be a JSON object.
func toolUse(call gjson.Result, path string) (anthropicToolUse, error) {
	use := anthropicToolUse{Type: "tool_use"}
	if err := onlyFields(call, path, "id", "type", "function"); err != nil {
		return use, err
	}
	if typ := call.Get("type").Str; typ != "function" {
		return use, refuse(path+".type", "tool call type "+quote(typ)+" has no Anthropic equivalent")
	}
	var err error
	if use.ID, err = str(call.Get("id"), path+".id"); err != nil {
		return use, err
	}
	fn := call.Get("function")
	if err := onlyFields(fn, path+".function", "name", "arguments"); err != nil {
		return use, err
	}
	if use.Name, err = str(fn.Get("name"), path+".function.name"); err != nil {
		return use, err
	}
	args, err := str(fn.Get("arguments"), path+".function.arguments")
	if err != nil {
		return use, err
	}
	if strings.TrimSpace(args) == "" {
		args = "{}"
	}
	input, ok := compactObject(args)
	if !ok {
		return use, refuse(path+".function.arguments", "must be a JSON object")
	}
	use.Input = input
	return use, nil
}

// toolMessage translates a tool message to a tool_result block.
func toolMessage(m gjson.Result, path string) (anthropicToolResult, error) {
	result := anthropicToolResult{Type: "tool_result"}
	if err := onlyFields(m, path, "role", "content", "tool_call_id"); err != nil {
		return result, err
	}
	var err error
	if result.ToolUseID, err = str(m.Get("tool_call_id"), path+".tool_call_id"); err != nil {
		return result, err
	}
	c := m.Get("content")
	if c.Type == gjson.String {
		result.Content = c.Str
		return result, nil
	}
	blocks, err := textParts(c, path+".content")
	result.Content = blocks
	return result, err
}

// anthropicTools translates function tools.
func anthropicTools(v gjson.Result) ([]anthropicTool, error) {
	if _, err := array(v, "tools"); err != nil {
		return nil, err
	}
	var out []anthropicTool
	err := items(v, func(i int, tool gjson.Result) error {
		path := "tools" + index(i)
		if err := onlyFields(tool, path, "type", "function"); err != nil {
			return err
		}
		if typ := tool.Get("type").Str; typ != "function" {
			return refuse(path+".type", "tool type "+quote(typ)+" has no Anthropic equivalent")
		}
		fn := tool.Get("function")
		t := anthropicTool{InputSchema: json.RawMessage(`{"type":"object","properties":{}}`)}
		err := members(fn, func(key string, v gjson.Result) error {
			var err error
			switch key {
			case "name":
				t.Name, err = str(v, path+".function.name")
			case "description":
				t.Description, err = str(v, path+".function.description")
			case "parameters":
				if _, err = object(v, path+".function.parameters"); err == nil {
					t.InputSchema = json.RawMessage(v.Raw)
				}
			case "strict":
				if v.Type != gjson.False {
					err = refuse(path+".function.strict", "strict schemas have no Anthropic equivalent")
				}
			default:
				err = refuse(path+".function."+key, "has no Anthropic equivalent")
			}
			return err
		})
		out = append(out, t)
		return err
	})
	return out, err
}

// anthropicToolChoiceOf translates tool_choice: none, auto, required (any)
// or a named function (tool).
func anthropicToolChoiceOf(v gjson.Result) (*anthropicToolChoice, error) {
	switch v.Str {
	case "none":
		return &anthropicToolChoice{Type: "none"}, nil
	case "auto":
		return &anthropicToolChoice{Type: "auto"}, nil
	case "required":
		return &anthropicToolChoice{Type: "any"}, nil
	}
	if v.IsObject() && v.Get("type").Str == "function" {
		if err := onlyFields(v, "tool_choice", "type", "function"); err != nil {
			return nil, err
		}
		name, err := str(v.Get("function.name"), "tool_choice.function.name")
		return &anthropicToolChoice{Type: "tool", Name: name}, err
	}
	return nil, refuse("tool_choice", "must be none, auto, required or a function; "+quote(v.Raw)+" has no Anthropic equivalent")
}

// quote quotes s for an error message, bounded so that a hostile value
// cannot flood a log.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return `"` + s + `"`
}
