// Package sdk is what a provider adapter and the host share: the [Adapter]
// interface, the go-plugin glue that carries it across a process boundary
// over gRPC, the host's [Client] for adapter subprocesses, and helpers
// every adapter needs (rate-limit and retry-after headers, result
// classification, a server-sent event scanner).
//
// # Usage
//
// An adapter implements [Adapter] as a library package, with its
// request/response translation as pure functions on bytes, and ships a
// main package that only serves it:
//
//	func main() {
//		logger := hclog.New(&hclog.LoggerOptions{Output: os.Stderr, JSONFormat: true})
//		sdk.Serve(myadapter.New(logger), logger)
//	}
//
// It checks itself with the conformance kit, package sdktest.
//
// # Writing an adapter
//
// A complete adapter that answers every chat with "hi", with no network
// (plugins/sdk/example/echo is a fuller one, in a Go module of its own):
//
//	type hi struct{}
//
//	func (hi) Info(context.Context) (sdk.Info, error) {
//		return sdk.Info{Name: "hi", Version: "1.0.0", Formats: []string{sdk.FormatOpenAI},
//			Endpoints: []string{sdk.EndpointChatCompletions}}, nil
//	}
//
//	func (hi) EstimateTokens(_ context.Context, req *sdk.Request) (int64, error) {
//		return int64(len(req.Body)+3) / 4, nil
//	}
//
//	func (hi) Do(_ context.Context, req *sdk.Request) (*sdk.Response, error) {
//		body := `{"object":"chat.completion","choices":[{"index":0,"finish_reason":"stop",` +
//			`"message":{"role":"assistant","content":"hi"}}],"usage":{"prompt_tokens":1,"completion_tokens":1}}`
//		usage := func() abi.Usage { return abi.Usage{InputTokens: 1, OutputTokens: 1} }
//		return &sdk.Response{Status: 200, Result: abi.Success,
//			Header: http.Header{"Content-Type": {"application/json"}},
//			Body:   sdk.NewBody(io.NopCloser(strings.NewReader(body)), usage)}, nil
//	}
//
//	func (hi) Models(context.Context, *sdk.Request) ([]sdk.Model, error) {
//		return []sdk.Model{{ID: "hi-1"}}, nil
//	}
//
//	func main() { sdk.Serve(hi{}, nil) }
//
// Build it as apikeyrouter-hi into the proxy's plugin directory
// (APIKEYROUTER_PLUGIN_DIR, by default the binary's) and name it in the
// config file; the proxy starts it as a subprocess and restarts it if it
// dies:
//
//	providers:
//	  hi: {adapter: hi, discover: false, models: [hi-1]}
//	keys:
//	  - {id: hi-1, provider: hi, secret: "${HI_KEY}"}
//
// A real adapter calls its provider with the request's secret in the
// provider's authentication header only, reads rate limits with
// [ParseRateLimit] and [ParseRetryAfter], classifies error answers with
// [ClassifyStatus], relays streams event by event as they arrive (see
// [SSEScanner] and [EventRelay]) and
// wraps the body with [NewBody] so its trailer reports usage. An adapter
// whose provider speaks the client's format unchanged sets
// [Info].WireCompatible.
//
// The host starts the plugin, and for each attempt hands it the chosen
// key's secret, relays the answer and reports the outcome to the core:
//
//	c, err := sdk.NewClient(sdk.ClientConfig{Path: "bin/apikeyrouter-openai"})
//	…
//	resp, err := c.Adapter().Do(ctx, &sdk.Request{Endpoint: sdk.EndpointChatCompletions, Body: body, BaseURL: base, Secret: secret})
//	if err != nil {
//		outcome := abi.Outcome{Result: sdk.ClassifyError(err)} // no answer: fail over
//		…
//	}
//	if resp.Result != abi.Success { … } // fail over before relaying a byte, or relay the error
//	copy resp.Status, resp.Header, then resp.Body chunk by chunk, flushing each
//	resp.Body.Close()
//	outcome := resp.Outcome() // result, status, usage, rate limits, retry-after
//	outcome.Attempt, outcome.LatencyMicros = …
//
// When c.Exited() reports the plugin died, the host replaces it with
// c.Restart(); calls in flight fail promptly with [abi.Cancelled] (the
// plugin's fault, not their keys').
//
// # The plugin boundary
//
// [Adapter.Do] is a server-streaming RPC: a frame with the head (status,
// headers, result class, rate limits, retry-after), then a frame per read of
// the adapter's body as soon as it returns — a stream is never buffered —
// with the trailer (result, usage, error) on the last one. Closing the body
// or cancelling the context cancels the RPC and, through it, the provider
// call. Errors cross as gRPC status codes, one per [abi.Result], with the
// secret redacted; the host gets an [*Error] back, never the adapter's Go
// error types. The wire protocol is internal/adapterpb/adapter.proto.
// A body's failing read sends its data and the trailer in one frame, and
// the host drops data that comes with a failure: a stream that broke must
// not reach the client with a clean ending ("[DONE]", message_stop) the
// adapter held. Plugins written without this SDK must do the same. A head
// whose status is outside 100..599, a result class outside [abi.Result]'s
// values, or a Failure classed as a success is the plugin breaking the
// protocol: the host gets a connection error and fails over. Hosts start
// plugins with [NewClientContext] to abandon a start that hangs.
//
// The host sends EstimateTokens and Do on lanes: long-lived streams
// (the Lane RPC) that carry calls one after another, the same frames and
// a Failure (result class, redacted message) in place of a status, since a
// new stream per call costs more than the message on it (~40 µs of CPU
// against ~14). A call abandoned mid-way closes its lane, which cancels it
// in the plugin as before. A plugin without Lane (UNIMPLEMENTED) gets the
// unary calls; plugins built with this SDK serve both.
//
// On Linux, lanes skip gRPC: the host asks the plugin once for a lane
// socket (the LaneSocket RPC), a Unix socket in the abstract namespace the
// plugin serves to the host's process only, and opens one connection per
// lane: the same LaneCall and LaneReply messages, each after its length,
// and a closed connection cancels the call on it. Elsewhere, or if the
// socket fails, lanes stay gRPC streams.
//
// # Secrets
//
// The secret travels to the plugin inside the request (never in its
// environment or arguments) and must reach the provider only in its
// authentication header. The SDK redacts it from every error message that
// crosses the boundary; adapters must also keep it out of their logs. Plugin
// subprocesses inherit only [InheritedEnv] from the host, whose environment
// holds provider keys and the store's encryption key.
package sdk
