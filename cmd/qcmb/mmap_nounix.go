//go:build !unix

package main

import (
	"errors"
	"os"
)

// mapFile: files are read, not mapped, here.
func mapFile(*os.File, int) ([]byte, func(), error) {
	return nil, nil, errors.ErrUnsupported
}
