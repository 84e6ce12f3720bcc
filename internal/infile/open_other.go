//go:build !unix

package infile

import "os"

// openNonBlocking opens path for reading; where there are no named pipes in the file
// system (Windows) an open does not block.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
