package sdktest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/apikeyrouter/apikeyrouter/abi"
	"github.com/apikeyrouter/apikeyrouter/plugins/sdk"
)

// maxBody bounds the body the kit reads from an adapter.
const maxBody = 64 << 20

// runCassette replays one cassette through a and checks every result.
func runCassette(t *testing.T, a sdk.Adapter, c *Cassette) {
	rep := startReplay(t, c)
	req, err := c.sdkRequest(rep.baseURL())
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if d, _ := c.deadline(); d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	want := c.Want
	if want.EstimateTokens != nil {
		noSecret := *req
		noSecret.Secret = ""
		n, err := a.EstimateTokens(ctx, &noSecret)
		if err != nil || n != *want.EstimateTokens {
			t.Errorf("EstimateTokens = %d, %v; want %d", n, err, *want.EstimateTokens)
		}
	}
	if c.Request.Endpoint == sdk.EndpointModels {
		checkModels(t, a, ctx, req, want)
		return
	}

	resp, err := a.Do(ctx, req)
	if want.Error {
		if err == nil {
			_ = resp.Body.Close()
			t.Fatalf("Do succeeded with status %d; want an error of class %s", resp.Status, want.Result)
		}
		checkError(t, "Do", err, want)
		return
	}
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	defer resp.Body.Close()
	// What the host takes for a broken protocol, whatever the cassette says.
	if resp.Status < 100 || resp.Status > 599 {
		t.Errorf("status = %d: an answer's status is 100..599 (the host fails over from any other)", resp.Status)
	}
	if resp.Result > abi.Cancelled {
		t.Errorf("result class %d is none of abi.Result's (the host fails over from it)", resp.Result)
	}
	if want.Status != 0 && resp.Status != want.Status {
		t.Errorf("status = %d, want %d", resp.Status, want.Status)
	}
	for name, value := range want.Header {
		if got := resp.Header.Get(name); got != value {
			t.Errorf("header %s = %q, want %q", name, got, value)
		}
	}
	checkHeader(t, resp.Header)

	body, readErr := readBody(resp.Body, rep.readFirstByte)
	switch {
	case want.ReadError && readErr == nil:
		t.Errorf("the body read to its end; want a read error of class %s", want.Result)
	case want.ReadError:
		checkError(t, "body read", readErr, want)
	case readErr != nil:
		t.Errorf("body read: %v", readErr)
	}
	checkBody(t, body, want)
	checkOutcome(t, resp, c)
}

// sdkRequest returns the cassette's call for a provider at baseURL.
func (c *Cassette) sdkRequest(baseURL string) (*sdk.Request, error) {
	body, err := bodyBytes(c.Request.Body)
	if err != nil {
		return nil, err
	}
	return &sdk.Request{
		Endpoint: c.Request.Endpoint,
		Format:   c.Request.Format,
		Model:    c.Request.Model,
		Body:     body,
		BaseURL:  baseURL,
		Secret:   Secret,
		Header:   http.Header(c.Request.Header),
	}, nil
}

// checkModels calls Models and compares the listing or the error.
func checkModels(t *testing.T, a sdk.Adapter, ctx context.Context, req *sdk.Request, want Want) {
	models, err := a.Models(ctx, req)
	if want.Error {
		if err == nil {
			t.Fatalf("Models = %v; want an error of class %s", models, want.Result)
		}
		checkError(t, "Models", err, want)
		return
	}
	if err != nil {
		t.Fatalf("Models: %v", err)
	}
	got := make([]Model, len(models))
	for i, m := range models {
		got[i] = Model{ID: m.ID, OwnedBy: m.OwnedBy}
	}
	if !reflect.DeepEqual(got, want.Models) {
		t.Errorf("Models = %v, want %v", got, want.Models)
	}
}

// checkError checks a failure's class, and that its message hides the
// secret.
func checkError(t *testing.T, what string, err error, want Want) {
	t.Helper()
	if got := sdk.ClassifyError(err); got != want.Result {
		t.Errorf("%s error %q has class %s, want %s", what, err, got, want.Result)
	}
	if strings.Contains(err.Error(), Secret) {
		t.Errorf("%s error contains the secret: %q", what, err)
	}
}

// checkHeader checks the answer's headers hide the secret.
func checkHeader(t *testing.T, h http.Header) {
	t.Helper()
	for name, values := range h {
		if strings.Contains(strings.Join(values, "\n"), Secret) {
			t.Errorf("answer header %s contains the secret", name)
		}
	}
}

// readBody reads body to its end or first error (nil at io.EOF), calling
// first once the first byte arrived.
func readBody(body io.Reader, first func()) ([]byte, error) {
	var out []byte
	buf := make([]byte, 32<<10)
	for len(out) <= maxBody { // bounded: a body larger than maxBody fails
		n, err := body.Read(buf)
		if n > 0 {
			first()
			out = append(out, buf[:n]...)
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
	return out, errors.New("sdktest: body larger than 64 MiB")
}

// checkBody compares the body the host read with the cassette's.
func checkBody(t *testing.T, got []byte, want Want) {
	t.Helper()
	if bytes.Contains(got, []byte(Secret)) {
		t.Errorf("the body contains the secret")
	}
	switch {
	case want.Chunks != nil:
		if w := strings.Join(want.Chunks, ""); string(got) != w {
			t.Errorf("body:\n got  %q\n want %q", got, w)
		}
	case len(want.Body) > 0 && want.Body[0] == '"':
		var w string
		_ = json.Unmarshal(want.Body, &w)
		if string(got) != w {
			t.Errorf("body:\n got  %q\n want %q", got, w)
		}
	case len(want.Body) > 0:
		if eq, err := jsonEqual(got, want.Body); err != nil || !eq {
			t.Errorf("body:\n got  %s\n want %s (%v)", got, want.Body, err)
		}
	}
}

// checkOutcome compares the response's outcome with the cassette's.
func checkOutcome(t *testing.T, resp *sdk.Response, c *Cassette) {
	t.Helper()
	want := c.Want
	out := resp.Outcome()
	if out.Result != want.Result {
		t.Errorf("outcome result = %s, want %s", out.Result, want.Result)
	}
	if out.Usage != want.Usage {
		t.Errorf("outcome usage = %+v, want %+v", out.Usage, want.Usage)
	}
	if !reflect.DeepEqual(out.RateLimit, want.RateLimit) {
		t.Errorf("outcome rate limit = %s, want %s", jsonText(out.RateLimit), jsonText(want.RateLimit))
	}
	if ra, _ := c.retryAfter(); out.RetryAfter != ra {
		t.Errorf("outcome retry-after = %d, want %d", out.RetryAfter, ra)
	}
	if out.Status != int64(resp.Status) {
		t.Errorf("outcome status = %d, response status %d", out.Status, resp.Status)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
