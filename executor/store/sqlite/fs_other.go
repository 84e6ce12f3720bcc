//go:build !unix

package sqlite

import (
	"fmt"
	"os"
)

// writable is nil if path (a file, or a directory) is not marked read-only.
func writable(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s: %w", path, os.ErrPermission)
	}
	return nil
}
