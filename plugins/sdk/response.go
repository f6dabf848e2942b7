package sdk

import (
	"io"
	"net/http"
	"time"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// Response is a provider's answer to [Adapter.Do].
type Response struct {
	// Status is the provider's HTTP status code, 100..599: the host takes
	// any other for the adapter breaking its contract (a connection error).
	Status int
	// Header is the provider's response header as the client should see it:
	// hop-by-hop fields removed, and Content-Length removed when the adapter
	// changes the body.
	Header http.Header
	// Result classifies the answer from its status and, for errors, its
	// body (see [ClassifyStatus]). A host decides on failover from it before
	// any byte reaches the client.
	Result abi.Result
	// RateLimit is the provider's rate-limit state from the headers of this
	// answer (successes included); nil if it sent none.
	RateLimit *abi.RateLimit
	// RetryAfter is the provider's retry-after or retry-after-ms; 0 if absent.
	RetryAfter abi.Duration
	// Waited is how long the adapter waited for the provider's answer
	// headers, from sending the request. The host counts it as upstream
	// time and the rest of the call as its own overhead; zero means not
	// measured, and the whole call counts as upstream.
	Waited time.Duration
	// Body yields the body the client should see, chunk by chunk as the
	// provider sends it. The caller must Close it.
	Body Body
}

// Body is a response body that accounts for itself once it has ended.
//
// Close may be called concurrently with Read to abort it. Trailer must be
// called after Read has returned an error (io.EOF included) or after Close.
type Body interface {
	io.ReadCloser
	// Trailer reports how the body ended and the usage the provider
	// reported. Before the body has ended it reports [abi.Cancelled].
	Trailer() Trailer
}

// Trailer is the accounting of a body that has ended.
type Trailer struct {
	// Result is [abi.Success] if the body was read to its end; otherwise
	// why not: [abi.Cancelled] if it was closed early, [abi.Timeout],
	// [abi.ConnectionError], or [abi.ServerError] for a body the provider
	// broke (an error event, malformed JSON).
	Result abi.Result
	// Usage is what the provider reported in the body; zero if nothing.
	Usage abi.Usage
}

// Outcome returns the attempt's outcome as the core expects it. The host
// fills in Attempt and LatencyMicros. Call it once the body has ended. The
// result is the head's [Response.Result] unless that was a success and the
// body then failed.
func (r *Response) Outcome() abi.Outcome {
	t := r.Body.Trailer()
	result := r.Result
	if result == abi.Success {
		result = t.Result
	}
	return abi.Outcome{
		Result:     result,
		Status:     int64(r.Status),
		Usage:      t.Usage,
		RetryAfter: r.RetryAfter,
		RateLimit:  r.RateLimit,
	}
}
