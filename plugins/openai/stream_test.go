package openai

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

const (
	roleChunk  = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}],\"usage\":null}\n\n"
	textChunk  = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n"
	usageChunk = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":8}}}\n\n"
	doneChunk  = "data: [DONE]\n\n"
	malformed  = "data: {\"choices\":\n\n"
	errorChunk = "data: {\"error\":{\"message\":\"overloaded\"}}\n\n"
)

// relayed reads r as the proxy relays a body (hosts/internal/proxy
// relay), in reads of size bytes: what a Read returns with an error other
// than io.EOF is not written. It returns what the client saw and how the
// body ended (nil at io.EOF).
func relayed(r io.Reader, size int) (string, error) {
	var out strings.Builder
	buf := make([]byte, size)
	for {
		n, err := r.Read(buf)
		if err == nil || err == io.EOF {
			out.Write(buf[:n])
		}
		switch {
		case err == io.EOF:
			return out.String(), nil
		case err != nil:
			return out.String(), err
		}
	}
}

func TestStreamReader(t *testing.T) {
	usage := abi.Usage{InputTokens: 9, CachedInputTokens: 8, OutputTokens: 2}
	groq := "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"x_groq\":{\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":8}}}}\n\n"
	perChunk := "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":8}}}\n\n"
	for _, tc := range []struct {
		name, in, want string
		hide           bool
		usage          abi.Usage
		err            error
	}{
		{name: "usage chunk hidden", in: roleChunk + textChunk + usageChunk + doneChunk, hide: true,
			want: roleChunk + textChunk + doneChunk, usage: usage},
		{name: "usage chunk kept when asked for", in: roleChunk + usageChunk + doneChunk,
			want: roleChunk + usageChunk + doneChunk, usage: usage},
		{name: "usage on a content chunk is never hidden", in: perChunk + doneChunk, hide: true,
			want: perChunk + doneChunk, usage: usage},
		{name: "groq usage", in: groq + doneChunk, hide: true, want: groq + doneChunk, usage: usage},
		{name: "comments and crlf pass", in: ": ping\r\n\r\n" + textChunk, want: ": ping\r\n\r\n" + textChunk},
		{name: "no usage", in: textChunk + doneChunk, hide: true, want: textChunk + doneChunk},
		{name: "malformed event, then nothing", in: textChunk + malformed + textChunk + usageChunk + doneChunk, hide: true,
			want: textChunk + malformed, err: &sdk.Error{Result: abi.ServerError, Message: "openai: malformed stream event"}},
		{name: "error event, then nothing", in: textChunk + errorChunk + textChunk + doneChunk,
			want: textChunk + errorChunk,
			err:  &sdk.Error{Result: abi.ServerError, Message: "openai: stream error event: overloaded"}},
		{name: "malformed event after [DONE]", in: textChunk + doneChunk + malformed, want: textChunk + malformed,
			err: &sdk.Error{Result: abi.ServerError, Message: "openai: malformed stream event"}},
	} {
		for _, whole := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/whole=%v", tc.name, whole), func(t *testing.T) {
				// One byte at a time on both sides (event boundaries must
				// not depend on read sizes), or all of it at once (events
				// come together in one Read).
				var in io.Reader = strings.NewReader(tc.in)
				if !whole {
					in = iotest.OneByteReader(in)
				}
				r := newStreamReader(io.NopCloser(in), tc.hide)
				size := 32 << 10
				if !whole {
					size = 1
				}
				got, err := relayed(r, size)
				if string(got) != tc.want {
					t.Errorf("relayed\n %q\nwant\n %q", got, tc.want)
				}
				if tc.err == nil && err != nil || tc.err != nil && (err == nil || err.Error() != tc.err.Error() || sdk.ClassifyError(err) != sdk.ClassifyError(tc.err)) {
					t.Errorf("error = %v, want %v", err, tc.err)
				}
				if r.Usage() != tc.usage {
					t.Errorf("usage = %+v, want %+v", r.Usage(), tc.usage)
				}
			})
		}
	}
}

// TestStreamReaderRelaysWithoutWaiting: events that arrived together come
// in one Read; an event is relayed without waiting for the next.
func TestStreamReaderRelaysWithoutWaiting(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	r := newStreamReader(pr, true)
	go pw.Write([]byte(roleChunk + textChunk + usageChunk + textChunk))
	buf := make([]byte, 4096)
	read := func() string {
		done := make(chan string, 1)
		go func() {
			n, err := r.Read(buf)
			if err != nil {
				t.Error(err)
			}
			done <- string(buf[:n])
		}()
		select {
		case got := <-done:
			return got
		case <-time.After(10 * time.Second):
			t.Fatal("Read waited for an event that had not been sent")
			return ""
		}
	}
	if got := read(); got != roleChunk+textChunk+textChunk {
		t.Fatalf("events that arrived together: %q", got)
	}
	go pw.Write([]byte(textChunk + "data: {\"choi"))
	if got := read(); got != textChunk {
		t.Fatalf("an event with half of the next: %q", got)
	}
}

// TestStreamReaderHoldsDone: "[DONE]" comes only in the last Read, with
// io.EOF, so no clean end reaches a client before the stream has ended; a
// connection that breaks after "[DONE]" does not fail the answer.
func TestStreamReaderHoldsDone(t *testing.T) {
	for _, tc := range []struct {
		name string
		tail io.Reader
	}{
		{"clean end", strings.NewReader("")},
		{"broken after [DONE]", iotest.ErrReader(io.ErrUnexpectedEOF)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newStreamReader(io.NopCloser(io.MultiReader(strings.NewReader(roleChunk+usageChunk+doneChunk), tc.tail)), true)
			buf := make([]byte, 4096)
			var reads []string
			var err error
			for i := 0; i < 10 && err == nil; i++ {
				var n int
				n, err = r.Read(buf)
				reads = append(reads, string(buf[:n]))
			}
			before := strings.Join(reads[:len(reads)-1], "")
			if before+reads[len(reads)-1] != roleChunk+doneChunk || reads[len(reads)-1] != doneChunk || err != io.EOF {
				t.Errorf("reads %q, then %v; want the role chunk, then [DONE] alone with io.EOF", reads, err)
			}
		})
	}
}

// TestStreamReaderStopsAtFailure: the event that breaks the stream is the
// last relayed, and the error follows at once, without waiting for the
// provider's stream to end.
func TestStreamReaderStopsAtFailure(t *testing.T) {
	for _, bad := range []string{malformed, errorChunk} {
		pr, pw := io.Pipe()
		defer pw.Close()
		r := newStreamReader(pr, true)
		go pw.Write([]byte(textChunk + bad)) // and nothing more: the provider's stream stays open
		type result struct {
			got string
			err error
		}
		done := make(chan result, 1)
		go func() {
			got, err := relayed(r, 4096)
			done <- result{got, err}
		}()
		select {
		case res := <-done:
			if res.got != textChunk+bad || sdk.ClassifyError(res.err) != abi.ServerError {
				t.Errorf("relayed %q, %v; want %q, then a server error", res.got, res.err, textChunk+bad)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("after %q: Read waited for the provider's stream to end", bad)
		}
	}
}

func TestStreamReaderReadError(t *testing.T) {
	r := newStreamReader(io.NopCloser(io.MultiReader(strings.NewReader(textChunk), iotest.ErrReader(io.ErrUnexpectedEOF))), true)
	got, err := io.ReadAll(r)
	if string(got) != textChunk || !errors.Is(err, io.ErrUnexpectedEOF) || sdk.ClassifyError(err) != abi.ConnectionError {
		t.Errorf("read %q, %v; want the chunk, then a connection error", got, err)
	}
}

func TestJSONReader(t *testing.T) {
	body := `{"id":"x","usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}`
	r := newJSONReader(io.NopCloser(iotest.HalfReader(strings.NewReader(body))))
	got, err := io.ReadAll(r)
	if string(got) != body || err != nil || r.Usage() != (abi.Usage{InputTokens: 19, OutputTokens: 10}) {
		t.Errorf("read %q, %v, usage %+v", got, err, r.Usage())
	}
	r = newJSONReader(io.NopCloser(strings.NewReader(body[:20])))
	if _, err := io.ReadAll(r); sdk.ClassifyError(err) != abi.ServerError {
		t.Errorf("truncated JSON: error %v, want a server error", err)
	}
}

// BenchmarkStreamReader relays a 40-word answer as OpenAI streams it when
// the adapter asked for the usage: a chunk per word, each with
// "usage":null, then the usage chunk (hidden) and [DONE].
//
//	go test -run '^$' -bench BenchmarkStreamReader -benchmem ./plugins/openai
func BenchmarkStreamReader(b *testing.B) {
	const head = `data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini","system_fingerprint":"fp_mock","choices":[`
	var sb strings.Builder
	sb.WriteString(head + `{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}` + "\n\n")
	for range 40 {
		sb.WriteString(head + `{"index":0,"delta":{"content":"word "},"logprobs":null,"finish_reason":null}],"usage":null}` + "\n\n")
	}
	sb.WriteString(head + `{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}` + "\n\n")
	sb.WriteString(head + `],"usage":{"prompt_tokens":56,"completion_tokens":40,"total_tokens":96,"prompt_tokens_details":{"cached_tokens":0}}}` + "\n\n")
	sb.WriteString(doneChunk)
	stream := sb.String()
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		r := newStreamReader(io.NopCloser(strings.NewReader(stream)), true)
		for {
			if _, err := r.Read(buf); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
		if r.Usage().OutputTokens != 40 {
			b.Fatalf("usage %+v", r.Usage())
		}
	}
}
