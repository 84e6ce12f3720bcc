//go:build !unix

package procid

// exists cannot be told here.
func exists(int) State { return Unknown }
