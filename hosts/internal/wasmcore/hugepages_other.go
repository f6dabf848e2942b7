//go:build !linux

package wasmcore

// adviseHugePages does nothing: transparent huge pages are Linux's.
func adviseHugePages([]byte) {}

// collapseCode does nothing: transparent huge pages are Linux's.
func collapseCode() error { return nil }
