package tokenize

import (
	"strings"

	"github.com/tidwall/gjson"
)

// OpenAI's chat framing, from its cookbook.
const (
	tokensPerMessage   = 3 // <|start|>{role}\n{content}<|end|>\n, less the role
	tokensPerName      = 1
	tokensReplyPriming = 3 // <|start|>assistant<|message|>
	tokensPerToolCall  = 3 // not in the cookbook: our estimate
)

// Tool definition framing (the cookbook's num_tokens_for_tools).
const (
	toolPropertiesInit = 3
	toolPropertyKey    = 3
	toolEnumInit       = -3
	toolEnumItem       = 3
	toolsEnd           = 12
)

// toolFuncInit is the framing of one function definition: 10 for
// cl100k_base models (GPT-4, GPT-3.5), 7 for the others.
func toolFuncInit(enc Encoding) int64 {
	if enc == Cl100kBase {
		return 10
	}
	return 7
}

// chat counts a chat request's messages and tool definitions.
func chat(c *counter, doc gjson.Result) {
	c.add(tokensReplyPriming)
	doc.Get("messages").ForEach(func(_, m gjson.Result) bool {
		message(c, m)
		return true
	})
	tools(c, doc.Get("tools.#.function"))
	tools(c, doc.Get("functions")) // deprecated, the same without the wrapper
}

// message counts one message: its framing, role, content, name and tool
// calls.
func message(c *counter, m gjson.Result) {
	c.add(tokensPerMessage)
	c.text(m.Get("role").String())
	content(c, m.Get("content"))
	if name := m.Get("name"); name.Exists() {
		c.add(tokensPerName)
		c.text(name.String())
	}
	m.Get("tool_calls").ForEach(func(_, call gjson.Result) bool {
		c.add(tokensPerToolCall)
		c.text(call.Get("function.name").String())
		c.text(call.Get("function.arguments").String())
		return true
	})
	if fc := m.Get("function_call"); fc.Exists() {
		c.add(tokensPerToolCall)
		c.text(fc.Get("name").String())
		c.text(fc.Get("arguments").String())
	}
}

// content counts a message's content: a string, or parts (text, images;
// audio and files by their data are not counted).
func content(c *counter, v gjson.Result) {
	if !v.IsArray() {
		c.text(v.String())
		return
	}
	v.ForEach(func(_, part gjson.Result) bool {
		switch part.Get("type").String() {
		case "image_url":
			c.add(imageTokens(part.Get("image_url.url").String(), part.Get("image_url.detail").String()))
		default:
			c.text(part.Get("text").String())
		}
		return true
	})
}

// tools counts function definitions as the cookbook does; parameters
// nested deeper than one level (objects, arrays) add their schema's JSON.
func tools(c *counter, list gjson.Result) {
	if !list.IsArray() || len(list.Array()) == 0 {
		return
	}
	list.ForEach(func(_, f gjson.Result) bool {
		c.add(toolFuncInit(c.enc))
		c.text(f.Get("name").String() + ":" + strings.TrimSuffix(f.Get("description").String(), "."))
		props := f.Get("parameters.properties")
		if !props.IsObject() || len(props.Map()) == 0 {
			return true
		}
		c.add(toolPropertiesInit)
		props.ForEach(func(key, p gjson.Result) bool {
			c.add(toolPropertyKey)
			if enum := p.Get("enum"); enum.IsArray() {
				c.add(toolEnumInit)
				enum.ForEach(func(_, item gjson.Result) bool {
					c.add(toolEnumItem)
					c.text(item.String())
					return true
				})
			}
			c.text(key.String() + ":" + p.Get("type").String() + ":" + strings.TrimSuffix(p.Get("description").String(), "."))
			for _, nested := range []string{"properties", "items"} {
				c.text(p.Get(nested).Raw)
			}
			return true
		})
		return true
	})
	c.add(toolsEnd)
}
