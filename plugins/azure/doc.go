// Package azure is the provider adapter for Azure OpenAI. Azure speaks
// OpenAI's format at other addresses with another key header, so the
// adapter is package openai's, with a rewrite of each upstream request
// ([openai.Config].Rewrite): bodies and answers pass through as they do
// for OpenAI (usage, streams, rate-limit headers, token estimates with
// OpenAI's tokenizer).
//
// # Usage
//
//	a := azure.New(azure.Config{})
//	resp, err := a.Do(ctx, &sdk.Request{
//		Endpoint: sdk.EndpointChatCompletions,
//		Body:     []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]}`),
//		BaseURL:  "https://my-resource.openai.azure.com", // AZURE_API_BASE
//		Secret:   secret,                                  // sent as api-key
//	})
//
// # Addresses
//
// A call goes to {base}/openai/deployments/{deployment}/{endpoint}?api-version={version}
// (chat/completions, completions, embeddings); the model listing to
// {base}/openai/models?api-version={version}, the models the resource
// offers. The base is the resource's endpoint, without a path; there is no
// default.
//
// The deployment is the model's name (the request's Model, else the
// body's "model"), so name deployments after their models, or map them:
// per request with the header [HeaderDeployments]
// ("gpt-4o=prod-gpt4o, gpt-4o-mini=mini"), or per adapter with
// [Config].Deployments. The api-version is [DefaultAPIVersion] unless the
// header [HeaderAPIVersion] or [Config].APIVersion says otherwise. In the
// proxy, set both as the provider's headers in the YAML config; they are
// never sent to Azure:
//
//	providers:
//	  azure:
//	    base_url: https://my-resource.openai.azure.com
//	    headers:
//	      X-Apikeyrouter-Azure-Deployments: "gpt-4o=prod-gpt4o, gpt-4o-mini=mini"
//	      X-Apikeyrouter-Azure-Api-Version: "2025-04-01-preview"
//
// # Wire compatibility
//
// The adapter reports itself wire-compatible ([sdk.Info].WireCompatible):
// the bodies are OpenAI's in both directions, unchanged apart from the
// usage request; only the URL and the key's header differ. A host may run
// it in-process.
package azure
