//go:build unix

package sqlite

import "syscall"

// writable is nil if this process may write path (a file, or a directory to create files
// in), else why not: EACCES, or EROFS on read-only media (which root cannot write either).
func writable(path string) error {
	return syscall.Access(path, 2 /* W_OK */)
}
