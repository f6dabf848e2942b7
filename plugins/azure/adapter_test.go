package azure_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/azure"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// TestAddresses checks the URL each call goes to, query included (the
// cassettes check paths only).
func TestAddresses(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.RequestURI()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":[]}`)
	}))
	defer srv.Close()
	body := []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`)
	for _, tc := range []struct {
		name   string
		cfg    azure.Config
		req    sdk.Request
		models bool
		want   string
	}{
		{name: "defaults", req: sdk.Request{BaseURL: srv.URL}, want: "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"},
		{name: "configured", cfg: azure.Config{BaseURL: srv.URL + "/", APIVersion: "2025-01-01-preview", Deployments: map[string]string{"gpt-4o": "my 4o"}},
			want: "/openai/deployments/my%204o/chat/completions?api-version=2025-01-01-preview"},
		{name: "headers win", cfg: azure.Config{APIVersion: "x", Deployments: map[string]string{"gpt-4o": "cfg"}},
			req:  sdk.Request{BaseURL: srv.URL, Header: http.Header{azure.HeaderDeployments: {"gpt-4o=hdr"}, azure.HeaderAPIVersion: {"2024-06-01"}}},
			want: "/openai/deployments/hdr/chat/completions?api-version=2024-06-01"},
		{name: "request model", req: sdk.Request{BaseURL: srv.URL, Model: "gpt-4.1"}, want: "/openai/deployments/gpt-4.1/chat/completions?api-version=2024-10-21"},
		{name: "models", req: sdk.Request{BaseURL: srv.URL}, models: true, want: "/openai/models?api-version=2024-10-21"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := azure.New(tc.cfg)
			req := tc.req
			req.Endpoint, req.Body, req.Secret = sdk.EndpointChatCompletions, body, "k"
			if tc.models {
				if _, err := a.Models(t.Context(), &req); err != nil {
					t.Fatal(err)
				}
			} else {
				resp, err := a.Do(t.Context(), &req)
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
			if got != tc.want {
				t.Errorf("upstream URL %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	a := azure.New(azure.Config{})
	for _, req := range []sdk.Request{
		{Body: []byte(`{"model":"gpt-4o"}`)}, // no base URL: never OpenAI's
		{BaseURL: "https://r.openai.azure.com", Body: []byte(`{}`)},
		{BaseURL: "https://r.openai.azure.com", Body: []byte(`{"model":"m"}`), Header: http.Header{azure.HeaderDeployments: {"m"}}},
	} {
		req.Endpoint, req.Secret = sdk.EndpointChatCompletions, "k"
		if _, err := a.Do(t.Context(), &req); sdk.ClassifyError(err) != abi.BadRequest {
			t.Errorf("Do(%s, %v) = %v; want a bad request", req.Body, req.Header, err)
		}
	}
	info, _ := a.Info(t.Context())
	if info.Name != "azure" || info.DefaultBaseURL != "" || !info.WireCompatible {
		t.Errorf("Info = %+v", info)
	}
}

func TestParseDeployments(t *testing.T) {
	m, err := azure.ParseDeployments(" gpt-4o = a ,gpt-4o-mini=b")
	if err != nil || len(m) != 2 || m["gpt-4o"] != "a" || m["gpt-4o-mini"] != "b" {
		t.Errorf("ParseDeployments = %v, %v", m, err)
	}
	for _, bad := range []string{"", "a", "a=", "=b", "a=b,,c=d"} {
		if _, err := azure.ParseDeployments(bad); err == nil {
			t.Errorf("ParseDeployments(%q) succeeded", bad)
		}
	}
}
