// Package sdktest is the conformance kit for provider adapters: an adapter
// author runs it with `go test` against recorded provider exchanges
// (cassettes), with no network and no real keys.
//
// # Usage
//
//	var pluginPath string // built in TestMain with BuildPlugin
//
//	func TestConformance(t *testing.T) {
//		sdktest.Run(t, sdktest.Config{
//			New:       func(l hclog.Logger) sdk.Adapter { return myadapter.New(l) },
//			Cassettes: "testdata/cassettes",
//			Plugin:    pluginPath,
//		})
//	}
//
// # What it checks
//
// Every cassette runs in-process, over gRPC in-process
// (plugin.TestPluginGRPCConn) and against the real plugin subprocess, with
// the same expected results: the request the provider receives (method,
// path, headers, JSON body), the status, headers and body the host reads,
// the outcome (result class, usage, rate limits, retry-after), the class of
// failed calls, token estimates and model listings.
//
// Across all of them, the sentinel [Secret] may reach the provider only in
// the headers a cassette names, and the host must never see it: not in
// errors, headers, bodies or logs (the adapter logs at trace level).
//
// Streams must pass through chunk by chunk: a cassette with
// await_first_byte has the provider withhold its second chunk until the
// host has read the first. With the first plain streamed cassette the kit
// also checks that cancelling the context, or closing the body, stops the
// stream promptly, aborts the provider call and yields a cancelled outcome;
// and that killing the plugin process mid-stream fails the read promptly
// with a connection error and the plugin restarts. Waits are bounded (10 s)
// so a broken adapter fails instead of hanging.
//
// # Cassettes
//
// A cassette is a JSON file; see [Cassette] for the fields. A streamed
// chat completion, abridged:
//
//	{
//	  "description": "streamed chat: usage chunk requested and hidden",
//	  "request": {"endpoint": "chat/completions", "body": {"model": "gpt-4o-mini", "stream": true, "messages": […]}},
//	  "upstream_request": {
//	    "method": "POST", "path": "/v1/chat/completions",
//	    "header": {"Authorization": "Bearer {{secret}}"},
//	    "body": {"model": "gpt-4o-mini", "stream": true, "stream_options": {"include_usage": true}, "messages": […]}
//	  },
//	  "upstream_response": {
//	    "status": 200, "header": {"Content-Type": "text/event-stream"},
//	    "chunks": ["data: {…}\n\n", "data: {…,\"usage\":{…}}\n\n", "data: [DONE]\n\n"],
//	    "await_first_byte": true
//	  },
//	  "want": {"status": 200, "result": "success", "chunks": […], "usage": {"input": 9, "output": 2}}
//	}
//
// Record real exchanges with a throwaway key and replace it by {{secret}},
// or write them from the provider's documented wire format.
package sdktest
