package proxy

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"

	"github.com/apikeyrouter/apikeyrouter/abi"
)

// tokenPrefix starts every virtual client key, so a leaked one is easy to
// recognise in a scan.
const tokenPrefix = "ark-"

// tokenHash is a bearer token's SHA-256: tokens are compared and stored only
// as hashes.
type tokenHash [sha256.Size]byte

func hashToken(t string) tokenHash { return sha256.Sum256([]byte(t)) }

// auth checks bearer tokens: the proxy's own key, the admin token, or a
// virtual client key.
type auth struct {
	proxy tokenHash
	admin tokenHash
	// adminSet is false when no admin token is configured: the admin API
	// is then closed.
	adminSet bool
	mu       sync.RWMutex
	clients  map[tokenHash]abi.ClientID
}

// newAuth takes the proxy key and admin token as their hashes; an empty
// admin hash keeps the admin API closed.
func newAuth(proxy, admin tokenHash, adminSet bool) *auth {
	return &auth{proxy: proxy, admin: admin, adminSet: adminSet, clients: map[tokenHash]abi.ClientID{}}
}

// HashToken returns a bearer token's hash in hex, the form the proxy
// stores tokens in.
func HashToken(t string) string {
	h := hashToken(t)
	return hex.EncodeToString(h[:])
}

// parseHash reads a token hash in hex.
func parseHash(s string) (tokenHash, bool) {
	var h tokenHash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, false
	}
	copy(h[:], b)
	return h, true
}

// bearer returns the request's bearer token.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

var (
	errNoToken = &apiError{status: http.StatusUnauthorized, typ: typeAuthentication, code: "missing_api_key",
		message: "missing API key: send Authorization: Bearer <PROXY_API_KEY or a virtual key>"}
	errBadToken = &apiError{status: http.StatusUnauthorized, typ: typeAuthentication, code: "invalid_api_key",
		message: "invalid API key"}
	errNoAdminToken = &apiError{status: http.StatusUnauthorized, typ: typeAuthentication, code: "missing_admin_token",
		message: "missing admin token: send Authorization: Bearer <APIKEYROUTER_ADMIN_TOKEN>"}
	errBadAdminToken = &apiError{status: http.StatusUnauthorized, typ: typeAuthentication, code: "invalid_admin_token",
		message: "invalid admin token"}
)

// client authenticates a client request by its bearer token (see
// [auth.clientOf]).
func (a *auth) client(r *http.Request) (abi.ClientID, *apiError) {
	token, ok := bearer(r)
	if !ok {
		return "", errNoToken
	}
	return a.clientOf(token)
}

// clientOf authenticates a client's token: the proxy key gives the empty
// client id, a virtual key its client's id. Hashes are compared in
// constant time.
func (a *auth) clientOf(token string) (abi.ClientID, *apiError) {
	h := hashToken(token)
	if subtle.ConstantTimeCompare(h[:], a.proxy[:]) == 1 {
		return "", nil
	}
	a.mu.RLock()
	id, ok := a.clients[h]
	a.mu.RUnlock()
	if !ok {
		return "", errBadToken
	}
	return id, nil
}

// adminOK authenticates an admin request.
func (a *auth) adminOK(r *http.Request) *apiError {
	token, ok := bearer(r)
	if !ok {
		return errNoAdminToken
	}
	h := hashToken(token)
	if !a.adminSet || subtle.ConstantTimeCompare(h[:], a.admin[:]) != 1 {
		return errBadAdminToken
	}
	return nil
}

func (a *auth) setClient(h tokenHash, id abi.ClientID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.clients[h] = id
}

func (a *auth) dropClient(id abi.ClientID) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for h, c := range a.clients {
		if c == id {
			delete(a.clients, h)
		}
	}
}

// NewToken returns a fresh random bearer token with the given prefix.
func NewToken(prefix string) string { return newToken(prefix) }

// newToken returns a fresh random bearer token with the given prefix.
func newToken(prefix string) string {
	var b [32]byte
	fillRandom(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// fillRandom fills b from crypto/rand.
func fillRandom(b []byte) {
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
}

// mask shows a secret's first 3 and last 4 characters.
func mask(s string) string {
	if len(s) <= 10 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + "…" + s[len(s)-4:]
}
