// Package tmpfstest gives tests small file systems of their own: a tmpfs of a given size
// to fill up (a full disk), remounted read-only (read-only media). Mounting needs Linux
// and the privilege to mount; where either is missing the test is skipped with the reason.
package tmpfstest
