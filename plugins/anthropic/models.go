package anthropic

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
	"github.com/apikeyrouter/apikeyrouter/plugins/translate"
)

// Model listing bounds: Anthropic pages its list; a page holds at most
// modelsPageSize models, and the adapter follows at most maxModelPages
// pages, so a broken server cannot keep it paging forever.
const (
	modelsPageSize = 1000
	maxModelPages  = 20
	maxModelsBody  = 16 << 20
)

// errModels is returned for a model listing that is not Anthropic's
// {"data":[{"id":…}],"has_more":…,"last_id":…}.
var errModels = errors.New("malformed model listing")

// Models lists the models GET {base}/models returns, following its pages
// (after_id) to the end.
func (a *Adapter) Models(ctx context.Context, req *sdk.Request) ([]sdk.Model, error) {
	var models []sdk.Model
	after := ""
	for range maxModelPages {
		query := url.Values{"limit": {strconv.Itoa(modelsPageSize)}}
		if after != "" {
			query.Set("after_id", after)
		}
		page, more, last, err := a.modelsPage(ctx, req, "models?"+query.Encode())
		if err != nil {
			return nil, err
		}
		models = append(models, page...)
		if !more {
			return models, nil
		}
		after = last
	}
	return nil, &sdk.Error{Result: abi.ServerError, Message: "anthropic: list models: more than " + strconv.Itoa(maxModelPages) + " pages"}
}

// modelsPage fetches one page of the listing.
func (a *Adapter) modelsPage(ctx context.Context, req *sdk.Request, endpoint string) ([]sdk.Model, bool, string, error) {
	hreq, err := a.newRequest(ctx, http.MethodGet, endpoint, req, nil)
	if err != nil {
		return nil, false, "", err
	}
	hresp, err := a.client.Do(hreq)
	if err != nil {
		return nil, false, "", a.callError(req, "list models", err)
	}
	defer hresp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(hresp.Body, maxModelsBody))
	if err != nil {
		return nil, false, "", a.callError(req, "list models", err)
	}
	if hresp.StatusCode < 200 || hresp.StatusCode > 299 {
		return nil, false, "", &sdk.Error{
			Result:  classifyStatus(hresp.StatusCode, body),
			Message: sdk.Redact("anthropic: list models: upstream answered "+hresp.Status+": "+errorMessage(body), req.Secret),
		}
	}
	models, more, last, err := parseModels(body)
	if err != nil {
		return nil, false, "", &sdk.Error{Result: abi.ServerError, Message: "anthropic: list models: " + err.Error()}
	}
	return models, more, last, nil
}

// parseModels reads one page of Anthropic's model listing: its models,
// whether more follow, and the id to continue after.
func parseModels(body []byte) (models []sdk.Model, more bool, last string, err error) {
	data := gjson.GetBytes(body, "data")
	if !translate.Valid(body) || !data.IsArray() {
		return nil, false, "", errModels
	}
	bad := false
	data.ForEach(func(_, m gjson.Result) bool {
		id := m.Get("id")
		if bad = id.Type != gjson.String || id.Str == ""; bad {
			return false
		}
		models = append(models, sdk.Model{ID: id.Str})
		return true
	})
	more, last = gjson.GetBytes(body, "has_more").Bool(), gjson.GetBytes(body, "last_id").Str
	if bad || more && last == "" {
		return nil, false, "", errModels
	}
	return models, more, last, nil
}

// errorMessage returns an Anthropic error body's message, bounded; empty
// if there is none.
func errorMessage(body []byte) string {
	msg := gjson.GetBytes(body, "error.message").Str
	if len(msg) > 256 {
		msg = msg[:256] + "…"
	}
	return msg
}
