package mockupstream_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/apikeyrouter/apikeyrouter/hosts/mockupstream"
)

func ExampleNew() {
	mock := mockupstream.New(mockupstream.Config{})
	srv := httptest.NewServer(mock)
	defer srv.Close()
	defer mock.Close()

	mock.SetFault("sk-busy", mockupstream.Fault{Status: 429, Times: 1})
	for _, key := range []string{"sk-busy", "sk-busy"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions",
			strings.NewReader(`{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}`))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("x-ratelimit-remaining-requests"))
	}
	fmt.Println(mock.Requests("sk-busy"), mock.Requests("sk-idle"))
	// Output:
	// 429 999999
	// 200 999998
	// 2 0
}
