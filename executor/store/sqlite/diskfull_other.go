//go:build !(linux || darwin || freebsd)

package sqlite

// diskFull cannot be told here: the systems' statfs structures differ, and a full disk
// shows as a write error instead.
func diskFull(string) bool { return false }
