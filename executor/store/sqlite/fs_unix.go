//go:build unix

package sqlite

import (
	"os"
	"syscall"
)

// writable is nil if this process may write path (a file, or a directory to create files
// in), else why not: EACCES, or EROFS on read-only media (which root cannot write either).
func writable(path string) error {
	return syscall.Access(path, 2 /* W_OK */)
}

// diskFull reports whether the file system of dir has too little space left for this
// process to open a store for writing: SQLite's shared-memory index takes 32 KiB.
func diskFull(dir string) bool {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return false
	}
	free := st.Bavail // what unprivileged processes may use; root may use the reserve too
	if os.Geteuid() == 0 {
		free = st.Bfree
	}
	return uint64(free)*uint64(st.Bsize) < 64<<10
}
