//go:build unix

package outfile

import (
	"errors"
	"os"
	"syscall"
)

// syncDir makes the entries of directory dir (a rename into it) durable. File systems
// that cannot sync a directory say so with EINVAL, which is no failure of the write.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
