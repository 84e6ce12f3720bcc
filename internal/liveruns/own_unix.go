//go:build unix

package liveruns

import (
	"io/fs"
	"os"
	"syscall"
)

// supported: runs have TMPDIR.
const supported = true

// ownedBySelf reports whether the file of info belongs to this process's user.
func ownedBySelf(info fs.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
