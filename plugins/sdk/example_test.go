package sdk_test

import (
	"context"
	"io"
	"log"
	"os"

	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// A host starts an adapter plugin, makes a call and reports its outcome;
// if the plugin died, it restarts it.
func ExampleNewClient() {
	c, err := sdk.NewClient(sdk.ClientConfig{Path: "bin/apikeyrouter-openai"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Kill()

	resp, err := c.Adapter().Do(context.Background(), &sdk.Request{
		Endpoint: sdk.EndpointChatCompletions,
		Body:     []byte(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`),
		Secret:   os.Getenv("OPENAI_API_KEY"),
	})
	if err != nil {
		log.Printf("no answer: %v (%s)", err, sdk.ClassifyError(err))
		if c.Exited() {
			if c, err = c.Restart(); err != nil {
				log.Fatal(err)
			}
			defer c.Kill()
		}
		return
	}
	_, _ = io.Copy(os.Stdout, resp.Body) // a host flushes each chunk to its client
	_ = resp.Body.Close()
	log.Printf("outcome: %+v", resp.Outcome())
}
