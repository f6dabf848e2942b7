package anthropic

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// TestModelsPages follows the listing's pages to the end, and gives up on
// one that never ends.
func TestModelsPages(t *testing.T) {
	pages := map[string]string{
		"":      `{"data":[{"type":"model","id":"a"},{"type":"model","id":"b"}],"has_more":true,"first_id":"a","last_id":"b"}`,
		"b":     `{"data":[{"type":"model","id":"c"}],"has_more":false,"first_id":"c","last_id":"c"}`,
		"loop":  `{"data":[{"type":"model","id":"x"}],"has_more":true,"last_id":"loop"}`,
		"wrong": `{"data":[{"type":"model","id":"x"}],"has_more":true}`,
	}
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.URL.Query().Get("limit") != "1000" || r.Header.Get("X-Api-Key") != "sk-ant" {
			t.Errorf("request %s with key %q", r.URL, r.Header.Get("X-Api-Key"))
		}
		after := r.URL.Query().Get("after_id")
		if r.Header.Get("X-Start") != "" && after == "" {
			after = r.Header.Get("X-Start")
		}
		fmt.Fprint(w, pages[after])
	}))
	defer srv.Close()
	a := New(Config{})
	list := func(start string) ([]sdk.Model, error) {
		return a.Models(t.Context(), &sdk.Request{BaseURL: srv.URL + "/v1", Secret: "sk-ant", Header: http.Header{"X-Start": {start}}})
	}
	models, err := list("")
	if want := []sdk.Model{{ID: "a"}, {ID: "b"}, {ID: "c"}}; err != nil || !reflect.DeepEqual(models, want) || calls != 2 {
		t.Errorf("Models = %v, %v after %d calls; want %v after 2", models, err, calls, want)
	}
	calls = 0
	if _, err := list("loop"); sdk.ClassifyError(err) != abi.ServerError || calls != maxModelPages {
		t.Errorf("endless listing: %v after %d calls; want a server error after %d", err, calls, maxModelPages)
	}
	if _, err := list("wrong"); sdk.ClassifyError(err) != abi.ServerError {
		t.Errorf("has_more without last_id: %v; want a server error", err)
	}
}

func TestParseModels(t *testing.T) {
	for _, bad := range []string{`{}`, `{"data":{}}`, `{"data":[{"id":""}]}`, `{"data":[{"id":7}]}`, `nope`} {
		if _, _, _, err := parseModels([]byte(bad)); err == nil {
			t.Errorf("parseModels(%s) succeeded", bad)
		}
	}
}
