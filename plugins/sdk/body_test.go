package sdk_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

func TestNewBody(t *testing.T) {
	usage := abi.Usage{InputTokens: 3, OutputTokens: 4}
	for _, tc := range []struct {
		name      string
		r         io.Reader
		readToEnd bool
		want      abi.Result
	}{
		{"read to the end", strings.NewReader("hello"), true, abi.Success},
		{"read error", io.MultiReader(strings.NewReader("he"), iotest.ErrReader(io.ErrUnexpectedEOF)), true, abi.ConnectionError},
		{"classified read error", iotest.ErrReader(&sdk.Error{Result: abi.ServerError}), true, abi.ServerError},
		{"closed early", strings.NewReader("hello"), false, abi.Cancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := sdk.NewBody(io.NopCloser(tc.r), func() abi.Usage { return usage })
			if tc.readToEnd {
				_, _ = io.ReadAll(b)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if got := b.Trailer(); got.Result != tc.want || got.Usage != usage {
				t.Errorf("Trailer = %+v, want result %s and usage %+v", got, tc.want, usage)
			}
		})
	}
}

func TestNewBodyBeforeEnd(t *testing.T) {
	b := sdk.NewBody(io.NopCloser(strings.NewReader("x")), nil)
	if got := b.Trailer(); got.Result != abi.Cancelled || got.Usage != (abi.Usage{}) {
		t.Errorf("Trailer before the end = %+v, want cancelled without usage", got)
	}
}

func TestResponseOutcome(t *testing.T) {
	rl := newRateLimit(1, 0, abi.Second, -1, -1, -1)
	failing := func() sdk.Body {
		b := sdk.NewBody(io.NopCloser(iotest.ErrReader(errors.New("reset"))), nil)
		_, _ = io.ReadAll(b)
		return b
	}
	for _, tc := range []struct {
		name string
		resp sdk.Response
		want abi.Result
	}{
		{"success whose body failed", sdk.Response{Status: 200, Result: abi.Success, Body: failing()}, abi.ConnectionError},
		{"error status keeps its class", sdk.Response{Status: 429, Result: abi.RateLimited, Body: failing()}, abi.RateLimited},
		{"error status closed unread", sdk.Response{Status: 401, Result: abi.AuthError, Body: sdk.NewBody(io.NopCloser(strings.NewReader("{}")), nil)}, abi.AuthError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.resp.RateLimit, tc.resp.RetryAfter = rl, 2*abi.Second
			_ = tc.resp.Body.Close()
			out := tc.resp.Outcome()
			if out.Result != tc.want || out.Status != int64(tc.resp.Status) || out.RateLimit != rl || out.RetryAfter != 2*abi.Second {
				t.Errorf("Outcome = %+v, want result %s", out, tc.want)
			}
		})
	}
}
