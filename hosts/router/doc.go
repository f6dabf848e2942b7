// Package router is ApiKeyRouter in library mode: the routing core runs in
// your process, natively, with your clock — no proxy, no network hop.
//
// # Usage
//
// Register providers, models (the bundled price table has the common ones)
// and keys, then ask for a key per attempt and report how it went:
//
//	r, _ := router.New(router.Options{})
//	r.RegisterProvider("openai")
//	models, _ := router.BundledPrices().Models("openai")
//	for _, m := range models {
//		r.RegisterModel(m)
//	}
//	r.RegisterKey(abi.Key{ID: "openai-1", Provider: "openai"}, os.Getenv("OPENAI_API_KEY_1"))
//
//	d, err := r.Route(router.Request{Model: "gpt-4o-mini", Objective: "cost", InputTokens: 1200})
//	if err != nil { ... }                   // a *router.Refusal says why and when to retry
//	secret, _ := r.Secret(d.Key)            // call the provider with it …
//	r.Report(d.Attempt, abi.Outcome{Result: abi.Success, Usage: …})
//
// On a retryable failure, report it and route again with the keys tried so
// far in Request.Exclude; d.Fallbacks already ranks them.
package router
