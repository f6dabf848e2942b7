package mockupstream

import (
	"bytes"
	"sync"
)

// answer is an endpoint's reply, computed whole before any byte is written
// so its tokens are charged to the rate limit first. Answers are pooled:
// their buffers are reused across requests.
type answer struct {
	req     bytes.Buffer // the request body
	out     []byte       // the JSON body, or every stream event back to back
	scratch []byte       // room for a stream's chunk prefix
	ends    []int        // stream: where each event in out ends
	stream  bool
	tokens  int64 // prompt plus completion tokens
}

var answers = sync.Pool{New: func() any { return new(answer) }}

func getAnswer() *answer { return answers.Get().(*answer) }

// putAnswer recycles a, unless its buffers grew too big to keep.
func putAnswer(a *answer) {
	if a.req.Cap() > 1<<20 || cap(a.out) > 1<<20 {
		return
	}
	a.req.Reset()
	a.out, a.ends, a.stream, a.tokens = a.out[:0], a.ends[:0], false, 0
	answers.Put(a)
}

// beginEvent starts a stream event ("data: ").
func (a *answer) beginEvent() { a.out = append(a.out, "data: "...) }

// endEvent ends the event begun last.
func (a *answer) endEvent() {
	a.out = append(a.out, "\n\n"...)
	a.ends = append(a.ends, len(a.out))
}

// done appends the stream's closing "data: [DONE]" event.
func (a *answer) done() {
	a.out = append(a.out, "data: [DONE]\n\n"...)
	a.ends = append(a.ends, len(a.out))
}
