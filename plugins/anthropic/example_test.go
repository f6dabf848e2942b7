package anthropic_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"

	mockanthropic "github.com/apikeyrouter/apikeyrouter/hosts/mockupstream/anthropic"
	"github.com/apikeyrouter/apikeyrouter/plugins/anthropic"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// An OpenAI chat completion served by the Messages API: the adapter
// translates the request, and the answer back.
func ExampleAdapter_Do() {
	srv := httptest.NewServer(mockanthropic.New(mockanthropic.Config{}))
	defer srv.Close()

	a := anthropic.New(anthropic.Config{})
	resp, err := a.Do(context.Background(), &sdk.Request{
		Endpoint: sdk.EndpointChatCompletions,
		Format:   sdk.FormatOpenAI,
		Body:     []byte(`{"model":"claude-haiku-4-5","messages":[{"role":"user","content":"Hello!"}]}`),
		BaseURL:  srv.URL + "/v1",
		Secret:   "sk-ant-example",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var completion struct {
		Object  string
		Choices []struct {
			Message      struct{ Content string }
			FinishReason string `json:"finish_reason"`
		}
	}
	body, _ := io.ReadAll(resp.Body) // to the end: the outcome counts a body closed early as cancelled
	resp.Body.Close()
	err = json.Unmarshal(body, &completion)
	out := resp.Outcome()
	fmt.Println(resp.Status, completion.Object, completion.Choices[0].Message.Content, completion.Choices[0].FinishReason, err)
	fmt.Println(out.Result, out.Usage.InputTokens, out.Usage.OutputTokens)
	// Output:
	// 200 chat.completion Hello! stop <nil>
	// success 2 2
}
