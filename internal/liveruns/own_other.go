//go:build !unix

package liveruns

import "io/fs"

// supported: no TMPDIR here (Windows takes TMP and TEMP), and no /proc to find processes.
const supported = false

func ownedBySelf(fs.FileInfo) bool { return true }
