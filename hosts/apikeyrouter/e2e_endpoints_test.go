package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

// TestOtherEndpoints: completions, embeddings and the model list go through
// the router too, with its headers.
func TestOtherEndpoints(t *testing.T) {
	f := newFleet(t)
	p := start(t, f.env...)
	c := client(p)
	ctx := context.Background()

	comp, err := c.Completions.New(ctx, openai.CompletionNewParams{Model: "gpt-4o-mini",
		Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("complete me")}})
	if err != nil || len(comp.Choices) == 0 || comp.Usage.PromptTokens == 0 {
		t.Fatalf("completions: %+v %v", comp, err)
	}
	emb, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "gpt-4o-mini",
		Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("embed me")}})
	if err != nil || len(emb.Data) != 1 || len(emb.Data[0].Embedding) == 0 {
		t.Fatalf("embeddings: %+v %v", emb, err)
	}
	resp, body := p.call("GET", "/v1/models", proxyKey, "", nil)
	var list struct {
		Data []struct {
			ID      string `json:"id"`
			OwnedBy string `json:"owned_by"`
		}
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || resp.StatusCode != 200 || len(list.Data) != 1 || list.Data[0].ID != "gpt-4o-mini" || list.Data[0].OwnedBy != "mock" {
		t.Fatalf("models: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		if resp, _ := p.call("GET", path, "", "", nil); resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
}

// TestGracefulShutdownDrains: SIGTERM while a stream is in flight lets it
// finish before the process exits, and /readyz says not ready meanwhile.
func TestGracefulShutdownDrains(t *testing.T) {
	f := newFleet(t)
	for _, s := range secrets {
		f.mock.SetFault(s, mockupstream.Fault{ChunkDelay: 100 * time.Millisecond})
	}
	p := start(t, f.env...)
	req, _ := http.NewRequest("POST", p.url+"/v1/chat/completions", strings.NewReader(
		`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"a b c d e f"}]}`))
	req.Header.Set("Authorization", "Bearer "+proxyKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("stream: %v", err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- p.stop() }()
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !strings.Contains(string(body), "data: [DONE]") {
		t.Fatalf("the stream in flight was cut by the shutdown: %v\n%s", err, body)
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, p.logs)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("the proxy did not exit after draining")
	}
	if !strings.Contains(p.logs.String(), "draining") {
		t.Fatalf("no drain logged:\n%s", p.logs)
	}
}
