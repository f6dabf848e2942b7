package main

import (
	"fmt"
	"io"

	"github.com/apikeyrouter/apikeyrouter/hosts/internal/proxy"
	"github.com/apikeyrouter/apikeyrouter/hosts/router"
)

// kindSetting is the record kind of the proxy's own settings.
const kindSetting = "setting"

// token returns the hash of a bearer token: the configured one, else the
// one generated on an earlier start, else a new one — stored as a hash and
// shown once on w, never again. There is no built-in default token.
func token(r *router.Router, name, configured, prefix string, w io.Writer) (string, error) {
	if configured != "" {
		return proxy.HashToken(configured), nil
	}
	recs, err := r.Records(kindSetting)
	if err != nil {
		return "", err
	}
	for _, rec := range recs {
		if rec.ID == name {
			return string(rec.Value), nil
		}
	}
	t := proxy.NewToken(prefix)
	h := proxy.HashToken(t)
	if err := r.PutRecord(kindSetting, name, []byte(h)); err != nil {
		return "", err
	}
	fmt.Fprintf(w, "\n  %s was not set: generated %s=%s\n  It is shown only this once and stored as a hash; keep it, or set %s to choose your own.\n\n",
		name, name, t, name)
	return h, nil
}
