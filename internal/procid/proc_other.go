//go:build !linux

package procid

// bootID is unknown here.
func bootID() string { return "" }

// startTime is unknown here.
func startTime(int) string { return "" }

// zombie cannot be told here.
func zombie(int) bool { return false }
