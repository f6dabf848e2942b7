package openai

import "net/http"

// dropRequestHeader lists the extra request headers the adapter never
// forwards: credentials (it sets its own), framing it controls, and
// hop-by-hop fields. Accept-Encoding is Go's transport's to set, so that
// it can decompress the answer the adapter reads.
var dropRequestHeader = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Api-Key":             true,
	"X-Api-Key":           true,
	"Cookie":              true,
	"Host":                true,
	"Content-Length":      true,
	"Content-Type":        true,
	"Accept-Encoding":     true,
	"Connection":          true,
	"Keep-Alive":          true,
	"Proxy-Connection":    true,
	"Te":                  true,
	"Trailer":             true,
	"Transfer-Encoding":   true,
	"Upgrade":             true,
}

// hopByHop lists the response headers that describe the adapter's own
// connection, not the answer.
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// upstreamHeader returns the headers to send upstream: extra minus what
// [dropRequestHeader] lists, the JSON content type, and the secret as a
// bearer token (none if secret is empty, as local servers allow).
func upstreamHeader(extra http.Header, secret string) http.Header {
	h := make(http.Header, len(extra)+3)
	for name, values := range extra {
		if name = http.CanonicalHeaderKey(name); !dropRequestHeader[name] {
			h[name] = values
		}
	}
	h.Set("Content-Type", "application/json")
	if secret != "" {
		h.Set("Authorization", "Bearer "+secret)
	}
	return h
}

// clientHeader returns the answer's headers as the client should see them:
// without hop-by-hop fields, and without Content-Length if the adapter may
// change the body's length. It edits h, the upstream response's own map,
// which nothing reads after it.
func clientHeader(h http.Header, lengthChanges bool) http.Header {
	for _, name := range hopByHop {
		delete(h, name)
	}
	if lengthChanges {
		delete(h, "Content-Length")
	}
	return h
}
