package gemini

import "net/http"

// dropRequestHeader lists the extra request headers the adapter never
// forwards: credentials (it sets its own), framing it controls, and
// hop-by-hop fields.
var dropRequestHeader = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"X-Goog-Api-Key":      true,
	"Api-Key":             true,
	"X-Api-Key":           true,
	"Cookie":              true,
	"Host":                true,
	"Content-Length":      true,
	"Content-Type":        true,
	"Accept":              true,
	"Accept-Encoding":     true,
	"Connection":          true,
	"Keep-Alive":          true,
	"Proxy-Connection":    true,
	"Te":                  true,
	"Trailer":             true,
	"Transfer-Encoding":   true,
	"Upgrade":             true,
}

// keepResponseHeader lists the answer's headers a client sees; the rest
// describe Google's framing of a body the adapter rewrote.
var keepResponseHeader = []string{"Date", "Server-Timing", "X-Request-Id", "Retry-After"}

// upstreamHeader returns the headers to send: extra minus
// [dropRequestHeader], the JSON content type, and the secret as
// x-goog-api-key (never in the URL).
func upstreamHeader(extra http.Header, secret string) http.Header {
	h := make(http.Header, len(extra)+3)
	for name, values := range extra {
		if name = http.CanonicalHeaderKey(name); !dropRequestHeader[name] {
			h[name] = values
		}
	}
	h.Set("Content-Type", "application/json")
	if secret != "" {
		h.Set("X-Goog-Api-Key", secret)
	}
	return h
}

// clientHeader returns the headers the client sees with a translated body
// of contentType.
func clientHeader(h http.Header, contentType string) http.Header {
	out := http.Header{"Content-Type": {contentType}}
	for _, name := range keepResponseHeader {
		if v := h.Values(name); len(v) > 0 {
			out[name] = v
		}
	}
	return out
}
