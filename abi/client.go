package abi

// Client is a virtual client key: a caller with its own scope. The bearer
// token itself stays with the host.
type Client struct {
	ID ClientID `msgpack:"id" json:"id"`
	// Models the client may use; empty means all. Sorted, unique.
	Models []string `msgpack:"models,omitempty" json:"models,omitempty"`
	// RPM is the client's requests-per-minute limit; 0 means none.
	RPM int64 `msgpack:"rpm,omitempty" json:"rpm,omitempty"`
}
