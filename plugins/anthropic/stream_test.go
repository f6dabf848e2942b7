package anthropic

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
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

const (
	startEvent = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-haiku-4-5\",\"usage\":{\"input_tokens\":10,\"cache_creation_input_tokens\":3,\"cache_read_input_tokens\":20,\"output_tokens\":1}}}\n\n"
	blockEvent = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
	textEvent  = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"
	pingEvent  = "event: ping\ndata: {\"type\":\"ping\"}\n\n"
	deltaEvent = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":7}}\n\n"
	stopEvent  = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
	errorEvent = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
	malformed  = "data: {\"type\":\n\n"
)

func TestStreamReader(t *testing.T) {
	full := abi.Usage{InputTokens: 33, CachedInputTokens: 20, OutputTokens: 7}
	started := abi.Usage{InputTokens: 33, CachedInputTokens: 20, OutputTokens: 1}
	chunk := func(delta string) string {
		return `data: {"id":"msg_1","object":"chat.completion.chunk","created":9,"model":"claude-haiku-4-5","choices":[{"index":0,"delta":` + delta + `,"logprobs":null,"finish_reason":null}]}` + "\n\n"
	}
	for _, tc := range []struct {
		name, in, want string
		convert        bool
		usage          abi.Usage
		err            string
	}{
		{name: "relayed byte for byte", in: startEvent + blockEvent + pingEvent + textEvent + deltaEvent + stopEvent,
			want: startEvent + blockEvent + pingEvent + textEvent + deltaEvent + stopEvent, usage: full},
		{name: "comments and crlf pass", in: ": hello\r\n\r\n" + startEvent + stopEvent, want: ": hello\r\n\r\n" + startEvent + stopEvent,
			usage: started},
		{name: "translated", convert: true, in: startEvent + blockEvent + pingEvent + textEvent + deltaEvent + stopEvent,
			want: chunk(`{"role":"assistant","content":""}`) + ": ping\n\n" + chunk(`{"content":"Hi"}`) +
				strings.Replace(chunk(`{}`), `"finish_reason":null`, `"finish_reason":"stop"`, 1) + "data: [DONE]\n\n",
			usage: full},
		{name: "error event, then nothing", in: startEvent + textEvent + errorEvent + textEvent + deltaEvent + stopEvent,
			want: startEvent + textEvent + errorEvent, usage: started,
			err: "anthropic: stream error event: overloaded_error: Overloaded"},
		{name: "translated error event, then nothing", convert: true, in: startEvent + errorEvent + textEvent + deltaEvent + stopEvent, usage: started,
			want: chunk(`{"role":"assistant","content":""}`) + `data: {"error":{"message":"Overloaded","type":"overloaded_error","param":null,"code":null}}` + "\n\n",
			err:  "anthropic: stream error event: overloaded_error: Overloaded"},
		{name: "malformed event, then nothing", in: startEvent + malformed + textEvent + deltaEvent + stopEvent, want: startEvent + malformed,
			usage: started, err: "anthropic: malformed stream event"},
		{name: "malformed event after message_stop", in: startEvent + deltaEvent + stopEvent + malformed,
			want: startEvent + deltaEvent + malformed, usage: full, err: "anthropic: malformed stream event"},
		{name: "malformed event, translated: dropped", convert: true, in: startEvent + malformed + textEvent + deltaEvent + stopEvent,
			want: chunk(`{"role":"assistant","content":""}`), usage: started, err: "anthropic: malformed stream event"},
		{name: "cut before message_stop", in: startEvent + textEvent, want: startEvent + textEvent, usage: started,
			err: "anthropic: the stream ended before message_stop"},
		{name: "untranslatable block", convert: true, in: startEvent +
			"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n" + stopEvent,
			want: chunk(`{"role":"assistant","content":""}`), usage: started,
			err: `anthropic: translate: content block type "thinking" has no OpenAI equivalent`},
	} {
		for _, whole := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/whole=%v", tc.name, whole), func(t *testing.T) {
				// One byte at a time on both sides (event boundaries must
				// not depend on read sizes), or all of it at once (events
				// come together in one Read).
				var in io.Reader = strings.NewReader(tc.in)
				size := 32 << 10
				if !whole {
					in, size = iotest.OneByteReader(in), 1
				}
				r := newStreamReader(io.NopCloser(in))
				if tc.convert {
					r.convert = translate.NewOpenAIToAnthropic().ResponseStream(9)
				}
				got, err := relayed(r, size)
				if got != tc.want {
					t.Errorf("relayed\n %q\nwant\n %q", got, tc.want)
				}
				switch {
				case tc.err == "" && err != nil:
					t.Errorf("error %v, want none", err)
				case tc.err != "" && (err == nil || err.Error() != tc.err || sdk.ClassifyError(err) != abi.ServerError):
					t.Errorf("error %v, want the server error %q", err, tc.err)
				}
				if r.Usage() != tc.usage {
					t.Errorf("usage %+v, want %+v", r.Usage(), tc.usage)
				}
			})
		}
	}
}

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

// TestStreamReaderStopsAtFailure: the event that breaks the stream is the
// last relayed, and the error follows at once, without waiting for the
// provider's stream to end.
func TestStreamReaderStopsAtFailure(t *testing.T) {
	for _, bad := range []string{malformed, errorEvent} {
		pr, pw := io.Pipe()
		defer pw.Close()
		r := newStreamReader(pr)
		go pw.Write([]byte(startEvent + bad)) // and nothing more: the provider's stream stays open
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
			if res.got != startEvent+bad || sdk.ClassifyError(res.err) != abi.ServerError {
				t.Errorf("relayed %q, %v; want %q, then a server error", res.got, res.err, startEvent+bad)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("after %q: Read waited for the provider's stream to end", bad)
		}
	}
}

func TestStreamReaderReadError(t *testing.T) {
	r := newStreamReader(io.NopCloser(io.MultiReader(strings.NewReader(startEvent), iotest.ErrReader(io.ErrUnexpectedEOF))))
	got, err := io.ReadAll(r)
	if string(got) != startEvent || !errors.Is(err, io.ErrUnexpectedEOF) || sdk.ClassifyError(err) != abi.ConnectionError {
		t.Errorf("read %q, %v; want the event, then a connection error", got, err)
	}
}

func TestJSONReader(t *testing.T) {
	msg := `{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn",` +
		`"usage":{"input_tokens":4,"cache_creation_input_tokens":1,"cache_read_input_tokens":2,"output_tokens":3}}`
	usage := abi.Usage{InputTokens: 7, CachedInputTokens: 2, OutputTokens: 3}

	r := newJSONReader(io.NopCloser(iotest.HalfReader(strings.NewReader(msg))), nil, 0)
	if got, err := io.ReadAll(iotest.OneByteReader(r)); string(got) != msg || err != nil || r.Usage() != usage {
		t.Errorf("relayed %q, %v, usage %+v", got, err, r.Usage())
	}

	r = newJSONReader(io.NopCloser(strings.NewReader(msg)), translate.NewOpenAIToAnthropic(), 5)
	want := `{"id":"msg_1","object":"chat.completion","created":5,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},` +
		`"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10,"prompt_tokens_details":{"cached_tokens":2}}}`
	if got, err := io.ReadAll(r); string(got) != want || err != nil || r.Usage() != usage {
		t.Errorf("translated %s, %v, usage %+v", got, err, r.Usage())
	}

	for _, bad := range []string{msg[:20], `[1]`, `{"content":[{"type":"server_tool_use"}]}`} {
		r = newJSONReader(io.NopCloser(strings.NewReader(bad)), translate.NewOpenAIToAnthropic(), 5)
		if _, err := io.ReadAll(r); sdk.ClassifyError(err) != abi.ServerError {
			t.Errorf("answer %s: error %v, want a server error", bad, err)
		}
	}
	r = newJSONReader(io.NopCloser(io.MultiReader(strings.NewReader(msg[:10]), iotest.ErrReader(io.ErrUnexpectedEOF))), nil, 0)
	if _, err := io.ReadAll(r); sdk.ClassifyError(err) != abi.ConnectionError {
		t.Errorf("broken answer: error %v, want a connection error", err)
	}
}

// TestStreamReaderEndsWithMessageStop: message_stop comes in the same Read
// as io.EOF, so the usage crosses the plugin boundary with the last bytes;
// a connection that breaks after it does not fail the answer.
func TestStreamReaderEndsWithMessageStop(t *testing.T) {
	for _, tc := range []struct {
		name string
		tail io.Reader
	}{
		{"clean end", strings.NewReader("")},
		{"broken after message_stop", iotest.ErrReader(io.ErrUnexpectedEOF)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			upstream := io.MultiReader(strings.NewReader(startEvent+deltaEvent+stopEvent), tc.tail)
			r := newStreamReader(io.NopCloser(upstream))
			buf := make([]byte, 4096)
			var reads []string
			var err error
			for i := 0; i < 10 && err == nil; i++ {
				var n int
				n, err = r.Read(buf)
				reads = append(reads, string(buf[:n]))
			}
			// The events that arrived together may come in one Read; message_stop
			// only in the last, with io.EOF.
			last := reads[len(reads)-1]
			if strings.Join(reads, "") != startEvent+deltaEvent+stopEvent || !strings.HasSuffix(last, stopEvent) ||
				strings.Contains(strings.Join(reads[:len(reads)-1], ""), stopEvent) || err != io.EOF {
				t.Errorf("reads %q, then %v; want the events, message_stop in the last read, with io.EOF", reads, err)
			}
		})
	}
}

// TestStreamReaderRelaysWithoutWaiting: an event is relayed without
// waiting for the next to arrive.
func TestStreamReaderRelaysWithoutWaiting(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	r := newStreamReader(pr)
	go pw.Write([]byte(startEvent + deltaEvent[:20]))
	done := make(chan string, 1)
	go func() {
		buf := make([]byte, 4096)
		n, _ := r.Read(buf)
		done <- string(buf[:n])
	}()
	select {
	case got := <-done:
		if got != startEvent {
			t.Fatalf("read %q, want message_start", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read waited for an event that had not been sent")
	}
}
