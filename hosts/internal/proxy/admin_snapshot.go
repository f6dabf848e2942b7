package proxy

import "net/http"

// snapshot serves GET /admin/v1/snapshot: the core's whole state as of now,
// in the JSON form of abi.Snapshot (abi/README.md). It holds ids, never
// secrets or tokens.
func (a *admin) snapshot(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.s.router.Snapshot())
}
