//go:build !unix

package wal

import (
	"os"
	"path/filepath"
)

// lockName is the file in the log's directory that [Open] creates.
const lockName = "LOCK"

// lockDir opens dir's lock file without locking it: on systems without
// flock, keeping a second process away from the directory is the
// caller's job.
func lockDir(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
}
