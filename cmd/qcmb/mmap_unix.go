//go:build unix

package main

import (
	"os"
	"syscall"
)

// mapFile maps the size bytes of f read-only, its pages read in at once where the system
// can (mapPopulate).
func mapFile(f *os.File, size int) ([]byte, func(), error) {
	data, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED|mapPopulate)
	if err != nil {
		return nil, nil, err
	}
	return data, func() { syscall.Munmap(data) }, nil
}
