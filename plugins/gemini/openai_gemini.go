package gemini

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"path"
	"reflect"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// FieldError is a client request the translation refuses: Field names the
// offending field as a JSON path ("messages[2].content[0].type"), Reason
// says why. Adapters answer it as a bad request.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return "gemini: " + e.Reason
	}
	return "gemini: " + e.Field + ": " + e.Reason
}

// refuse returns a [FieldError].
func refuse(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Chat is an OpenAI chat request translated for Gemini.
type Chat struct {
	// Model is the Gemini model to call (without "models/").
	Model string
	// Stream reports that the client asked for a stream.
	Stream bool
	// IncludeUsage reports that a streaming client asked for the final
	// usage chunk (stream_options.include_usage).
	IncludeUsage bool
	// Body is the generateContent request.
	Body []byte
}

// reasoningBudgets are the thinking budgets (tokens) of OpenAI's
// reasoning_effort values, as Google's own OpenAI-compatible endpoint maps
// them.
var reasoningBudgets = map[string]int64{"low": 1024, "medium": 8192, "high": 24576}

// ChatRequest translates an OpenAI chat completions body into a Gemini
// generateContent request. model, when set, replaces the body's "model". It
// is a pure function: body is not modified, and the same input always gives
// the same bytes. A field it cannot translate is a [*FieldError].
func ChatRequest(body []byte, model string) (*Chat, error) {
	if !translate.IsObject(body) {
		return nil, refuse("", "the request body is not a JSON object")
	}
	doc := gjson.ParseBytes(body)
	c := &Chat{Model: model}
	var req request
	gen := &generationConfig{}
	var err error
	doc.ForEach(func(k, v gjson.Result) bool {
		key := k.String()
		if v.Type == gjson.Null {
			return true
		}
		switch key {
		case "model":
			if c.Model == "" {
				c.Model = v.String()
			}
		case "messages":
			req.Contents, req.SystemInstruction, err = contents(v)
		case "stream":
			c.Stream = v.Bool()
		case "stream_options":
			c.IncludeUsage = v.Get("include_usage").Bool()
		case "max_tokens", "max_completion_tokens":
			gen.MaxOutputTokens, err = positive(v, key)
		case "n":
			gen.CandidateCount, err = positive(v, key)
		case "seed":
			gen.Seed, err = integer(v, key)
		case "temperature":
			gen.Temperature, err = number(v, key)
		case "top_p":
			gen.TopP, err = number(v, key)
		case "presence_penalty":
			gen.PresencePenalty, err = number(v, key)
		case "frequency_penalty":
			gen.FrequencyPenalty, err = number(v, key)
		case "stop":
			gen.StopSequences, err = stops(v)
		case "response_format":
			gen.ResponseMimeType, gen.ResponseJSONSchema, err = responseFormat(v)
		case "reasoning_effort":
			budget, ok := reasoningBudgets[v.String()]
			if !ok {
				err = refuse(key, "%s is not one of low, medium, high", quote(v.String()))
			}
			gen.ThinkingConfig = &thinkingConfig{ThinkingBudget: budget}
		case "tools":
			req.Tools, err = tools(v)
		case "tool_choice":
			req.ToolConfig, err = toolChoice(v)
		case "parallel_tool_calls":
			if !v.Bool() {
				err = refuse(key, "Gemini cannot be told to call one tool at a time")
			}
		case "user":
			// An end-user id for OpenAI's abuse monitoring: nothing to send.
		default:
			err = refuse(key, "has no Gemini equivalent")
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	if c.Model == "" {
		return nil, refuse("model", "missing")
	}
	if len(req.Contents) == 0 {
		return nil, refuse("messages", "no user or assistant message")
	}
	if !reflect.DeepEqual(*gen, generationConfig{}) {
		req.GenerationConfig = gen
	}
	c.Body, err = json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("gemini: encode request: %w", err)
	}
	return c, nil
}

// contents translates the messages: system and developer messages become
// the system instruction (wherever they are), user and tool messages "user"
// turns, assistant messages "model" turns. Consecutive tool results form
// one turn, as Gemini expects the answers to parallel calls together.
func contents(msgs gjson.Result) ([]content, *content, error) {
	if !msgs.IsArray() {
		return nil, nil, refuse("messages", "not an array")
	}
	var out []content
	var system *content
	calls := map[string]string{}
	toolTurn := -1 // index in out of the turn collecting tool results
	for i, m := range msgs.Array() {
		field := "messages[" + strconv.Itoa(i) + "]"
		if !m.IsObject() {
			return nil, nil, refuse(field, "not an object")
		}
		role := m.Get("role").String()
		if err := onlyFields(m, field, allowedMessageFields[role]); err != nil {
			return nil, nil, err
		}
		switch role {
		case "system", "developer":
			parts, err := textParts(m.Get("content"), field+".content")
			if err != nil {
				return nil, nil, err
			}
			if system == nil {
				system = &content{}
			}
			system.Parts = append(system.Parts, parts...)
			continue
		case "user":
			parts, err := userParts(m.Get("content"), field+".content")
			if err != nil {
				return nil, nil, err
			}
			out = append(out, content{Role: "user", Parts: parts})
		case "assistant":
			parts, err := assistantParts(m, field, calls)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, content{Role: "model", Parts: parts})
		case "tool":
			p, err := toolResult(m, field, calls)
			if err != nil {
				return nil, nil, err
			}
			if toolTurn == len(out)-1 && toolTurn >= 0 {
				out[toolTurn].Parts = append(out[toolTurn].Parts, p)
				continue
			}
			out = append(out, content{Role: "user", Parts: []part{p}})
			toolTurn = len(out) - 1
			continue
		default:
			return nil, nil, refuse(field+".role", "%s is not system, developer, user, assistant or tool", quote(role))
		}
		toolTurn = -1
	}
	return out, system, nil
}

// allowedMessageFields are the fields each role may have.
var allowedMessageFields = map[string][]string{
	"system":    {"role", "content"},
	"developer": {"role", "content"},
	"user":      {"role", "content"},
	"assistant": {"role", "content", "tool_calls", "refusal"},
	"tool":      {"role", "content", "tool_call_id"},
}

// onlyFields refuses a message with a field not in allowed (null fields
// are absent).
func onlyFields(m gjson.Result, field string, allowed []string) error {
	var err error
	m.ForEach(func(k, v gjson.Result) bool {
		for _, a := range allowed {
			if k.String() == a {
				return true
			}
		}
		if v.Type != gjson.Null {
			err = refuse(field+"."+k.String(), "has no Gemini equivalent")
		}
		return err == nil
	})
	return err
}

// textParts translates content that may only hold text: a string or text
// parts.
func textParts(v gjson.Result, field string) ([]part, error) {
	if v.Type == gjson.String {
		return []part{textPart(v.Str)}, nil
	}
	if !v.IsArray() {
		return nil, refuse(field, "neither a string nor an array of parts")
	}
	var parts []part
	for j, p := range v.Array() {
		f := field + "[" + strconv.Itoa(j) + "]"
		if t := p.Get("type").String(); t != "text" {
			return nil, refuse(f+".type", "%s: only text is allowed here", quote(t))
		}
		parts = append(parts, textPart(p.Get("text").String()))
	}
	return parts, nil
}

// userParts translates a user message's content: text, images, audio and
// files.
func userParts(v gjson.Result, field string) ([]part, error) {
	if v.Type == gjson.String {
		return []part{textPart(v.Str)}, nil
	}
	if !v.IsArray() {
		return nil, refuse(field, "neither a string nor an array of parts")
	}
	var parts []part
	for j, p := range v.Array() {
		f := field + "[" + strconv.Itoa(j) + "]"
		var out part
		var err error
		switch t := p.Get("type").String(); t {
		case "text":
			out = textPart(p.Get("text").String())
		case "image_url":
			out, err = mediaPart(p.Get("image_url.url").String(), f+".image_url.url")
		case "input_audio":
			out, err = audioPart(p.Get("input_audio"), f+".input_audio")
		case "file":
			if p.Get("file.file_id").Exists() {
				return nil, refuse(f+".file.file_id", "OpenAI file ids mean nothing to Gemini; send file_data")
			}
			out, err = mediaPart(p.Get("file.file_data").String(), f+".file.file_data")
		default:
			return nil, refuse(f+".type", "%s has no Gemini equivalent", quote(t))
		}
		if err != nil {
			return nil, err
		}
		parts = append(parts, out)
	}
	return parts, nil
}

func textPart(s string) part { return part{Text: &s} }

// mediaPart translates an image or file reference: a base64 data URL
// becomes inline data; an http(s) or gs:// URL a file reference, which
// Gemini fetches itself (Files API URIs, Cloud Storage, public URLs).
func mediaPart(u, field string) (part, error) {
	if rest, ok := strings.CutPrefix(u, "data:"); ok {
		mt, data, found := strings.Cut(rest, ";base64,")
		if !found || mt == "" {
			return part{}, refuse(field, "a data URL must be data:<media type>;base64,<data>")
		}
		return part{InlineData: &blob{MimeType: mt, Data: data}}, nil
	}
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" || (parsed.Scheme != "https" && parsed.Scheme != "http" && parsed.Scheme != "gs") {
		return part{}, refuse(field, "not a data URL nor an http(s) or gs:// URL Gemini can fetch")
	}
	return part{FileData: &fileData{MimeType: mime.TypeByExtension(path.Ext(parsed.Path)), FileURI: u}}, nil
}

// audioFormats are the media types of OpenAI's input_audio formats.
var audioFormats = map[string]string{"wav": "audio/wav", "mp3": "audio/mp3"}

// audioPart translates an input_audio part into inline data.
func audioPart(a gjson.Result, field string) (part, error) {
	mt, ok := audioFormats[a.Get("format").String()]
	if !ok {
		return part{}, refuse(field+".format", "%s is not wav or mp3", quote(a.Get("format").String()))
	}
	return part{InlineData: &blob{MimeType: mt, Data: a.Get("data").String()}}, nil
}

// assistantParts translates an assistant message: its text (or refusal)
// and its tool calls, whose ids it records for the tool results to come.
func assistantParts(m gjson.Result, field string, calls map[string]string) ([]part, error) {
	var parts []part
	c := m.Get("content")
	switch {
	case c.Type == gjson.String && c.Str != "":
		parts = append(parts, textPart(c.Str))
	case c.IsArray():
		tp, err := textParts(c, field+".content")
		if err != nil {
			return nil, err
		}
		parts = append(parts, tp...)
	}
	if r := m.Get("refusal"); r.Type == gjson.String && r.Str != "" {
		parts = append(parts, textPart(r.Str))
	}
	for j, tc := range m.Get("tool_calls").Array() {
		f := field + ".tool_calls[" + strconv.Itoa(j) + "]"
		if t := tc.Get("type").String(); t != "function" {
			return nil, refuse(f+".type", "%s is not function", quote(t))
		}
		name := tc.Get("function.name").String()
		args := tc.Get("function.arguments").String()
		if args == "" {
			args = "{}"
		}
		if !translate.Valid([]byte(args)) || !gjson.Parse(args).IsObject() {
			return nil, refuse(f+".function.arguments", "not a JSON object")
		}
		calls[tc.Get("id").String()] = name
		parts = append(parts, part{FunctionCall: &functionCall{Name: name, Args: compact(args)}})
	}
	if len(parts) == 0 {
		return nil, refuse(field+".content", "an assistant message needs content or tool calls")
	}
	return parts, nil
}

// toolResult translates a tool message into a function response, naming
// the function its tool_call_id called. A result that is a JSON object is
// the response; anything else is wrapped as {"content": …}.
func toolResult(m gjson.Result, field string, calls map[string]string) (part, error) {
	id := m.Get("tool_call_id").String()
	name, ok := calls[id]
	if !ok {
		return part{}, refuse(field+".tool_call_id", "%s answers no earlier assistant tool call", quote(id))
	}
	c := m.Get("content")
	text := c.String()
	if c.IsArray() {
		var b strings.Builder
		for _, p := range c.Array() {
			b.WriteString(p.Get("text").String())
		}
		text = b.String()
	}
	resp := json.RawMessage(nil)
	if translate.Valid([]byte(text)) && gjson.Parse(text).IsObject() {
		resp = compact(text)
	} else {
		resp, _ = json.Marshal(map[string]string{"content": text})
	}
	return part{FunctionResponse: &functionResponse{Name: name, Response: resp}}, nil
}

// tools translates function tools into one tool of function declarations;
// each one's parameters go as JSON Schema (parametersJsonSchema), as the
// client wrote them.
func tools(v gjson.Result) ([]tool, error) {
	if !v.IsArray() {
		return nil, refuse("tools", "not an array")
	}
	var decls []functionDeclaration
	for i, t := range v.Array() {
		f := "tools[" + strconv.Itoa(i) + "]"
		if typ := t.Get("type").String(); typ != "function" {
			return nil, refuse(f+".type", "%s is not function", quote(typ))
		}
		fn := t.Get("function")
		if err := onlyFields(fn, f+".function", []string{"name", "description", "parameters", "strict"}); err != nil {
			return nil, err
		}
		d := functionDeclaration{Name: fn.Get("name").String(), Description: fn.Get("description").String()}
		if d.Name == "" {
			return nil, refuse(f+".function.name", "missing")
		}
		if p := fn.Get("parameters"); p.Exists() && p.Type != gjson.Null {
			if !p.IsObject() {
				return nil, refuse(f+".function.parameters", "not a JSON Schema object")
			}
			d.ParametersJSONSchema = compact(p.Raw)
		}
		decls = append(decls, d)
	}
	if len(decls) == 0 {
		return nil, nil
	}
	return []tool{{FunctionDeclarations: decls}}, nil
}

// toolChoiceModes are Gemini's function calling modes for OpenAI's
// tool_choice strings.
var toolChoiceModes = map[string]string{"none": "NONE", "auto": "AUTO", "required": "ANY"}

// toolChoice translates tool_choice: a mode, or one named function.
func toolChoice(v gjson.Result) (*toolConfig, error) {
	if v.Type == gjson.String {
		mode, ok := toolChoiceModes[v.Str]
		if !ok {
			return nil, refuse("tool_choice", "%s is not none, auto or required", quote(v.Str))
		}
		return &toolConfig{FunctionCallingConfig: functionCallingConfig{Mode: mode}}, nil
	}
	name := v.Get("function.name").String()
	if v.Get("type").String() != "function" || name == "" {
		return nil, refuse("tool_choice", "not a mode nor {\"type\":\"function\",\"function\":{\"name\":…}}")
	}
	return &toolConfig{FunctionCallingConfig: functionCallingConfig{Mode: "ANY", AllowedFunctionNames: []string{name}}}, nil
}

// stops translates stop: a string or an array of strings.
func stops(v gjson.Result) ([]string, error) {
	if v.Type == gjson.String {
		return []string{v.Str}, nil
	}
	if !v.IsArray() {
		return nil, refuse("stop", "neither a string nor an array of strings")
	}
	list := []string{}
	for i, s := range v.Array() {
		if s.Type != gjson.String {
			return nil, refuse("stop["+strconv.Itoa(i)+"]", "not a string")
		}
		list = append(list, s.Str)
	}
	return list, nil
}

// responseFormat translates response_format: JSON mode, or a JSON schema.
func responseFormat(v gjson.Result) (string, json.RawMessage, error) {
	switch t := v.Get("type").String(); t {
	case "text":
		return "", nil, nil
	case "json_object":
		return "application/json", nil, nil
	case "json_schema":
		s := v.Get("json_schema.schema")
		if !s.IsObject() {
			return "", nil, refuse("response_format.json_schema.schema", "missing or not an object")
		}
		return "application/json", compact(s.Raw), nil
	default:
		return "", nil, refuse("response_format.type", "%s is not text, json_object or json_schema", quote(t))
	}
}

// positive reads a positive integer field.
func positive(v gjson.Result, field string) (*int64, error) {
	n, err := integer(v, field)
	if err == nil && *n <= 0 {
		return nil, refuse(field, "must be positive")
	}
	return n, err
}

// integer reads an integer field.
func integer(v gjson.Result, field string) (*int64, error) {
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	if v.Type != gjson.Number || err != nil {
		return nil, refuse(field, "not an integer")
	}
	return &n, nil
}

// number reads a number field, keeping its JSON spelling.
func number(v gjson.Result, field string) (json.RawMessage, error) {
	if v.Type != gjson.Number {
		return nil, refuse(field, "not a number")
	}
	return json.RawMessage(v.Raw), nil
}

// compact returns JSON text without insignificant space; the caller has
// checked it is valid.
func compact(s string) json.RawMessage {
	var b bytes.Buffer
	_ = json.Compact(&b, []byte(s))
	return b.Bytes()
}

// quote quotes s for an error message, bounded so a hostile value cannot
// flood a log.
func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}

// Interface guards
var _ error = (*FieldError)(nil)
