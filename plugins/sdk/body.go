package sdk

import (
	"io"
	"sync"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// NewBody returns a [Body] that reads r and accounts for it. Its trailer's
// result is [abi.Success] once r returned io.EOF, the class of r's first
// other error ([ClassifyError]), or [abi.Cancelled] if the body was closed
// before either. usage is asked for the trailer's usage each time Trailer is
// called; nil means the body reports none.
//
// Adapters wrap the provider's body with it, usually around a reader that
// watches the bytes go by for the usage.
func NewBody(r io.ReadCloser, usage func() abi.Usage) Body {
	return &body{r: r, usage: usage}
}

// body is [NewBody]'s Body.
type body struct {
	r     io.ReadCloser
	usage func() abi.Usage

	mu     sync.Mutex // guards ended and result: Close may race Read
	ended  bool
	result abi.Result
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	switch {
	case err == io.EOF:
		b.end(abi.Success)
	case err != nil:
		b.end(ClassifyError(err))
	}
	return n, err
}

func (b *body) Close() error {
	b.end(abi.Cancelled)
	return b.r.Close()
}

func (b *body) Trailer() Trailer {
	b.mu.Lock()
	t := Trailer{Result: abi.Cancelled}
	if b.ended {
		t.Result = b.result
	}
	b.mu.Unlock()
	if b.usage != nil {
		t.Usage = b.usage()
	}
	return t
}

// end records how the body ended, first come first served.
func (b *body) end(result abi.Result) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.ended {
		b.ended, b.result = true, result
	}
}

// Interface guards
var _ Body = (*body)(nil)
