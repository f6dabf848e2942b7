package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

const secret = "sk-grpc-test-SECRET-42"

// fakeAdapter is an adapter whose calls do what the test says.
type fakeAdapter struct {
	do  func(ctx context.Context, req *sdk.Request) (*sdk.Response, error)
	err error // returned by Info, EstimateTokens and Models when set
}

func (f *fakeAdapter) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "fake", Version: "1", Formats: []string{sdk.FormatOpenAI}, Endpoints: []string{"x"}, WireCompatible: true, DefaultBaseURL: "http://fake"}, f.err
}

func (f *fakeAdapter) EstimateTokens(_ context.Context, req *sdk.Request) (int64, error) {
	return int64(len(req.Body)), f.err
}

func (f *fakeAdapter) Do(ctx context.Context, req *sdk.Request) (*sdk.Response, error) {
	return f.do(ctx, req)
}

func (f *fakeAdapter) Models(context.Context, *sdk.Request) ([]sdk.Model, error) {
	if f.err != nil {
		return nil, f.err
	}
	return []sdk.Model{{ID: "m1", OwnedBy: "me"}, {ID: "m2"}}, nil
}

// overGRPC returns a served over gRPC on a local socket, as a plugin is.
func overGRPC(t testing.TB, a sdk.Adapter) sdk.Adapter {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, false, sdk.PluginMap(a))
	// Close asks the server to stop (go-plugin's controller); stopping it
	// here as well would race with that.
	t.Cleanup(func() { _ = client.Close() })
	raw, err := client.Dispense(sdk.PluginName)
	if err != nil {
		t.Fatal(err)
	}
	return raw.(sdk.Adapter)
}

// within fails the test if ch does not deliver within a generous bound.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: not within 10s", what)
		panic("unreachable")
	}
}

func TestGRPCUnaryCalls(t *testing.T) {
	fake := &fakeAdapter{}
	a := overGRPC(t, fake)
	ctx := t.Context()
	info, err := a.Info(ctx)
	want, _ := fake.Info(ctx)
	if err != nil || !reflect.DeepEqual(info, want) {
		t.Errorf("Info = %+v, %v; want %+v", info, err, want)
	}
	if n, err := a.EstimateTokens(ctx, &sdk.Request{Body: []byte("12345")}); n != 5 || err != nil {
		t.Errorf("EstimateTokens = %d, %v; want 5", n, err)
	}
	models, err := a.Models(ctx, &sdk.Request{Secret: secret})
	if err != nil || !reflect.DeepEqual(models, []sdk.Model{{ID: "m1", OwnedBy: "me"}, {ID: "m2"}}) {
		t.Errorf("Models = %v, %v", models, err)
	}
}

func TestGRPCRequestCrosses(t *testing.T) {
	got := make(chan *sdk.Request, 1)
	a := overGRPC(t, &fakeAdapter{do: func(_ context.Context, req *sdk.Request) (*sdk.Response, error) {
		got <- req
		return nil, &sdk.Error{Result: abi.BadRequest, Message: "no"}
	}})
	req := &sdk.Request{
		Endpoint: sdk.EndpointChatCompletions,
		Format:   sdk.FormatOpenAI,
		Model:    "gpt-x",
		Body:     []byte(`{"model":"gpt"}`),
		BaseURL:  "http://upstream/v1",
		Secret:   secret,
		Header:   http.Header{"Openai-Organization": {"org-1"}, "X-Multi": {"a", "b"}},
	}
	_, _ = a.Do(t.Context(), req)
	if r := within(t, got, "request"); !reflect.DeepEqual(r, req) {
		t.Errorf("the adapter got %+v, want %+v", r, req)
	}
}

func TestGRPCErrorsCrossAsClasses(t *testing.T) {
	results := []abi.Result{abi.RateLimited, abi.QuotaExhausted, abi.ServerError, abi.Timeout,
		abi.ConnectionError, abi.AuthError, abi.BadRequest, abi.Cancelled}
	for _, r := range results {
		t.Run(r.String(), func(t *testing.T) {
			failure := &sdk.Error{Result: r, Message: "upstream said no to " + secret}
			a := overGRPC(t, &fakeAdapter{err: failure, do: func(context.Context, *sdk.Request) (*sdk.Response, error) {
				return nil, failure
			}})
			req := &sdk.Request{Secret: secret}
			_, doErr := a.Do(t.Context(), req)
			_, modelsErr := a.Models(t.Context(), req)
			_, estimateErr := a.EstimateTokens(t.Context(), req)
			for _, err := range []error{doErr, modelsErr, estimateErr} {
				if got := sdk.ClassifyError(err); got != r {
					t.Errorf("error %v has class %s, want %s", err, got, r)
				}
				if err.Error() != "upstream said no to [REDACTED]" {
					t.Errorf("error message %q, want the secret redacted", err)
				}
			}
		})
	}
	t.Run("plain errors", func(t *testing.T) {
		for _, tc := range []struct {
			err  error
			want abi.Result
		}{
			{errors.New("dial tcp: connection refused"), abi.ConnectionError},
			{context.DeadlineExceeded, abi.Timeout},
		} {
			a := overGRPC(t, &fakeAdapter{do: func(context.Context, *sdk.Request) (*sdk.Response, error) { return nil, tc.err }})
			_, err := a.Do(t.Context(), &sdk.Request{})
			var e *sdk.Error
			if !errors.As(err, &e) || e.Result != tc.want || e.Message != tc.err.Error() {
				t.Errorf("Do error = %#v, want class %s with message %q", err, tc.want, tc.err)
			}
		}
	})
}

func TestGRPCResponseCrosses(t *testing.T) {
	rl := newRateLimit(500, 0, 90*abi.Second, 1000, 10, abi.Second)
	usage := abi.Usage{InputTokens: 10, CachedInputTokens: 4, OutputTokens: 2}
	for _, tc := range []struct {
		name string
		resp func() *sdk.Response
	}{
		{"rate limited", func() *sdk.Response {
			return &sdk.Response{
				Status: 429, Result: abi.RateLimited, RateLimit: rl, RetryAfter: 20 * abi.Second, Waited: 1234567,
				Header: http.Header{"Content-Type": {"application/json"}, "X-Multi": {"a", "b"}},
				Body:   sdk.NewBody(io.NopCloser(strings.NewReader(`{"error":{}}`)), nil),
			}
		}},
		{"success without rate limits", func() *sdk.Response {
			return &sdk.Response{
				Status: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: sdk.NewBody(io.NopCloser(strings.NewReader(`{"ok":true}`)), func() abi.Usage { return usage }),
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := overGRPC(t, &fakeAdapter{do: func(context.Context, *sdk.Request) (*sdk.Response, error) { return tc.resp(), nil }})
			resp, err := a.Do(t.Context(), &sdk.Request{})
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			want := tc.resp()
			wantBody, _ := io.ReadAll(want.Body)
			if err != nil || string(body) != string(wantBody) {
				t.Errorf("body %q, %v; want %q", body, err, wantBody)
			}
			if resp.Status != want.Status || resp.Result != want.Result || !reflect.DeepEqual(resp.Header, want.Header) ||
				!reflect.DeepEqual(resp.RateLimit, want.RateLimit) || resp.RetryAfter != want.RetryAfter || resp.Waited != want.Waited {
				t.Errorf("response %+v, want %+v", resp, want)
			}
			if got := resp.Outcome(); !reflect.DeepEqual(got, want.Outcome()) {
				t.Errorf("Outcome = %+v, want %+v", got, want.Outcome())
			}
		})
	}
}

// pipeAdapter answers every call with a stream the test writes through w.
func pipeAdapter(t *testing.T) (a sdk.Adapter, w *io.PipeWriter, serverCtxDone <-chan struct{}) {
	r, w := io.Pipe()
	done := make(chan struct{})
	a = overGRPC(t, &fakeAdapter{do: func(ctx context.Context, _ *sdk.Request) (*sdk.Response, error) {
		context.AfterFunc(ctx, func() {
			close(done)
			_ = r.CloseWithError(ctx.Err())
		})
		return &sdk.Response{Status: 200, Body: sdk.NewBody(r, nil)}, nil
	}})
	t.Cleanup(func() { _ = w.Close() })
	return a, w, done
}

// readChunk reads once from body, in the background.
func readChunk(body io.Reader) <-chan string {
	ch := make(chan string, 1)
	go func() {
		buf := make([]byte, 64)
		n, err := body.Read(buf)
		if err != nil {
			ch <- "error: " + err.Error()
			return
		}
		ch <- string(buf[:n])
	}()
	return ch
}

// TestGRPCStreamsChunkByChunk proves the boundary does not buffer: each
// chunk reaches the host before the adapter has produced the next (the
// pipe's Write returns only once the plugin side has read it).
func TestGRPCStreamsChunkByChunk(t *testing.T) {
	a, w, _ := pipeAdapter(t)
	resp, err := a.Do(t.Context(), &sdk.Request{})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, chunk := range []string{"data: 1\n\n", "data: 2\n\n", "data: [DONE]\n\n"} {
		got := readChunk(resp.Body)
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
		if c := within(t, got, "chunk "+chunk); c != chunk {
			t.Fatalf("read %q, want %q", c, chunk)
		}
	}
	_ = w.Close()
	if rest, err := io.ReadAll(resp.Body); err != nil || len(rest) != 0 {
		t.Errorf("after the last chunk: %q, %v", rest, err)
	}
	if got := resp.Outcome().Result; got != abi.Success {
		t.Errorf("outcome %s, want success", got)
	}
}

func TestGRPCAbandonStream(t *testing.T) {
	for _, how := range []string{"cancel", "close"} {
		t.Run(how, func(t *testing.T) {
			a, w, serverDone := pipeAdapter(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			resp, err := a.Do(ctx, &sdk.Request{})
			if err != nil {
				t.Fatal(err)
			}
			got := readChunk(resp.Body)
			_, _ = w.Write([]byte("data: 1\n\n"))
			within(t, got, "first chunk")
			read := readChunk(resp.Body) // blocks: the adapter sends nothing more
			if how == "cancel" {
				cancel()
			} else {
				_ = resp.Body.Close()
			}
			if r := within(t, read, "read after abandon"); !strings.HasPrefix(r, "error: ") {
				t.Errorf("read after abandon = %q, want an error", r)
			}
			within(t, serverDone, "the adapter's context cancelled")
			if got := resp.Outcome().Result; got != abi.Cancelled {
				t.Errorf("outcome %s, want cancelled", got)
			}
		})
	}
}

func TestGRPCStreamBreaks(t *testing.T) {
	a := overGRPC(t, &fakeAdapter{do: func(context.Context, *sdk.Request) (*sdk.Response, error) {
		broken := io.MultiReader(strings.NewReader("data: 1\n\n"),
			iotest.ErrReader(&sdk.Error{Result: abi.ServerError, Message: "stream broke for " + secret}))
		return &sdk.Response{Status: 200, Body: sdk.NewBody(io.NopCloser(broken), func() abi.Usage { return abi.Usage{InputTokens: 7} })}, nil
	}})
	resp, err := a.Do(t.Context(), &sdk.Request{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if string(body) != "data: 1\n\n" || sdk.ClassifyError(err) != abi.ServerError || err.Error() != "stream broke for [REDACTED]" {
		t.Errorf("read %q, %v; want the chunk, then a redacted server error", body, err)
	}
	if out := resp.Outcome(); out.Result != abi.ServerError || out.Usage.InputTokens != 7 {
		t.Errorf("Outcome = %+v, want server error with the usage so far", out)
	}
}

// reads is a body whose Reads return its steps in turn.
type reads []struct {
	data string
	err  error
}

func (r *reads) Read(p []byte) (int, error) {
	if len(*r) == 0 {
		return 0, io.EOF
	}
	s := (*r)[0]
	*r = (*r)[1:]
	return copy(p, s.data), s.err
}

func (r *reads) Close() error { return nil }

// readAll reads body to its end in Reads of 64 bytes, and returns what
// each Read returned.
func readAll(body io.Reader) []string {
	var out []string
	buf := make([]byte, 64)
	for {
		n, err := body.Read(buf)
		out = append(out, fmt.Sprintf("%q, %v", buf[:n], err))
		if err != nil {
			return out
		}
	}
}

// TestGRPCEndComesWithItsData: the bytes an adapter's body returns with
// its end reach the host in the same Read as the end, as in-process, so a
// host can drop what comes with a failure (a clean ending held) and write
// what comes with io.EOF.
func TestGRPCEndComesWithItsData(t *testing.T) {
	broke := &sdk.Error{Result: abi.ServerError, Message: "broke"}
	for _, tc := range []struct {
		name string
		end  error
	}{
		{"failure", broke},
		{"clean end", io.EOF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := func() sdk.Body {
				return sdk.NewBody(&reads{{"data: 1\n\n", nil}, {"data: [DONE]\n\n", tc.end}}, nil)
			}
			a := overGRPC(t, &fakeAdapter{do: func(context.Context, *sdk.Request) (*sdk.Response, error) {
				return &sdk.Response{Status: 200, Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: body()}, nil
			}})
			resp, err := a.Do(t.Context(), &sdk.Request{})
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			want := readAll(body())
			if got := readAll(resp.Body); !reflect.DeepEqual(got, want) {
				t.Errorf("reads over gRPC:\n %s\nin-process:\n %s", strings.Join(got, "\n "), strings.Join(want, "\n "))
			}
		})
	}
}
