//go:build unix

package infile

import (
	"os"
	"syscall"
)

// openNonBlocking opens path for reading with O_NONBLOCK: the open of a named pipe does
// not wait for a writer. Reads of regular files are unaffected; Go's poller serves pipes.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
