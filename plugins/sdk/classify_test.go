package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

func TestClassifyStatus(t *testing.T) {
	quota := `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`
	for _, tc := range []struct {
		status int
		body   string
		want   abi.Result
	}{
		{200, "", abi.Success},
		{204, "", abi.Success},
		{429, `{"error":{"code":"rate_limit_exceeded","type":"requests"}}`, abi.RateLimited},
		{429, quota, abi.QuotaExhausted},
		{429, `{"error":{"type":"insufficient_quota","code":null}}`, abi.QuotaExhausted},
		{429, `{"error":{"code":429}}`, abi.RateLimited},
		{429, `not json`, abi.RateLimited},
		{401, "", abi.AuthError},
		{403, "", abi.AuthError},
		{408, "", abi.Timeout},
		{400, quota, abi.BadRequest},
		{404, "", abi.BadRequest},
		{413, "", abi.BadRequest},
		{500, "", abi.ServerError},
		{502, "", abi.ServerError},
		{503, "", abi.ServerError},
		{529, "", abi.ServerError},
		{302, "", abi.ServerError},
		{101, "", abi.ServerError},
	} {
		if got := sdk.ClassifyStatus(tc.status, []byte(tc.body)); got != tc.want {
			t.Errorf("ClassifyStatus(%d, %.30q) = %s, want %s", tc.status, tc.body, got, tc.want)
		}
	}
}

// timeoutError is a net.Error that timed out.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestClassifyError(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want abi.Result
	}{
		{"nil", nil, abi.Success},
		{"sdk error", &sdk.Error{Result: abi.QuotaExhausted, Message: "x"}, abi.QuotaExhausted},
		{"wrapped sdk error", fmt.Errorf("read: %w", &sdk.Error{Result: abi.ServerError}), abi.ServerError},
		{"deadline", context.DeadlineExceeded, abi.Timeout},
		{"deadline in url error", &url.Error{Op: "Post", URL: "http://x", Err: context.DeadlineExceeded}, abi.Timeout},
		{"cancelled", fmt.Errorf("read stream: %w", context.Canceled), abi.Cancelled},
		{"net timeout", &net.OpError{Op: "read", Err: timeoutError{}}, abi.Timeout},
		{"os deadline", os.ErrDeadlineExceeded, abi.Timeout},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, abi.ConnectionError},
		{"refused", &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, abi.ConnectionError},
		{"eof", io.ErrUnexpectedEOF, abi.ConnectionError},
		{"anything", errors.New("boom"), abi.ConnectionError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sdk.ClassifyError(tc.err); got != tc.want {
				t.Errorf("ClassifyError(%v) = %s, want %s", tc.err, got, tc.want)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ s, secret, want string }{
		{"key sk-1 and sk-1 again", "sk-1", "key [REDACTED] and [REDACTED] again"},
		{"nothing here", "sk-1", "nothing here"},
		{"empty secret", "", "empty secret"},
	} {
		if got := sdk.Redact(tc.s, tc.secret); got != tc.want {
			t.Errorf("Redact(%q, %q) = %q, want %q", tc.s, tc.secret, got, tc.want)
		}
	}
}

func ExampleClassifyStatus() {
	body := []byte(`{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}`)
	fmt.Println(sdk.ClassifyStatus(429, body), sdk.ClassifyStatus(429, nil), sdk.ClassifyStatus(503, nil))
	// Output: quota_exhausted rate_limited server_error
}
