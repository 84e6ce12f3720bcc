package proctoken

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a random token (24 hexadecimal digits) for marking processes.
func New() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Mark is the environment entry NAME=token that marks processes.
func Mark(name, token string) string { return name + "=" + token }
