//go:build !linux

package tmpfstest

import "testing"

// Mount skips the test: mounting a tmpfs needs Linux.
func Mount(t testing.TB, size int64) string {
	t.Helper()
	t.Skip("mounting a tmpfs for this test needs Linux")
	return ""
}

// ReadOnly skips the test: mounting a tmpfs needs Linux.
func ReadOnly(t testing.TB, dir string) {
	t.Helper()
	t.Skip("mounting a tmpfs for this test needs Linux")
}
