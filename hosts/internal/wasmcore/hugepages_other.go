//go:build unix && !linux

package wasmcore

// adviseHugePages does nothing: transparent huge pages are Linux's.
func adviseHugePages([]byte) {}
