//go:build linux || darwin || freebsd

package sqlite

import (
	"os"
	"syscall"
)

// diskFull reports whether the file system of dir has too little space left for this
// process to open a store for writing: SQLite's shared-memory index takes 32 KiB.
func diskFull(dir string) bool {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return false
	}
	// Bavail is what unprivileged processes may use; root may use the reserve too. The
	// field types differ between systems (BSD's Bavail is signed and can go negative).
	free := int64(st.Bavail)
	if os.Geteuid() == 0 {
		free = int64(st.Bfree)
	}
	return free < 0 || uint64(free)*uint64(st.Bsize) < 64<<10
}
