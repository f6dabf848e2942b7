package mockupstream

// chunker appends the events of a streamed answer. Every chunk is
// prefix, choices, mid, then "}" — or ",\"usage\":null}" when the client
// asked for include_usage, as OpenAI sends it.
type chunker struct {
	a         *answer
	prefix    []byte // through `"choices":[`
	mid       []byte // from `]` to before the closing brace
	usageNull bool
}

// newChunker returns a chunker appending to a's stream events.
func newChunker(a *answer, prefix, mid []byte, includeUsage bool) chunker {
	return chunker{a: a, prefix: prefix, mid: mid, usageNull: includeUsage}
}

// choice appends an event with one literal choice object.
func (c *chunker) choice(choice string) {
	c.begin()
	c.a.out = append(c.a.out, choice...)
	c.end()
}

// content appends an event whose choice is before, content as a JSON
// string, then after.
func (c *chunker) content(before, content, after string) {
	c.begin()
	c.a.out = append(c.a.out, before...)
	c.a.out = appendString(c.a.out, content)
	c.a.out = append(c.a.out, after...)
	c.end()
}

// usage appends the include_usage event: no choices, and the usage.
func (c *chunker) usage(prompt, completion int64) {
	c.begin()
	c.a.out = append(c.a.out, c.mid...)
	c.a.out = append(c.a.out, `,"usage":`...)
	c.a.out = appendUsage(c.a.out, prompt, completion)
	c.a.out = append(c.a.out, '}')
	c.a.endEvent()
}

func (c *chunker) begin() {
	c.a.beginEvent()
	c.a.out = append(c.a.out, c.prefix...)
}

func (c *chunker) end() {
	c.a.out = append(c.a.out, c.mid...)
	if c.usageNull {
		c.a.out = append(c.a.out, `,"usage":null}`...)
	} else {
		c.a.out = append(c.a.out, '}')
	}
	c.a.endEvent()
}
