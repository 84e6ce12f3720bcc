// Package infile reads input files whole, as qcmb's commands and its component reader do:
// at most a limit of bytes (so that /dev/zero or a runaway pipe is refused rather than
// read until memory runs out), giving up as soon as a context ends, even while a read
// blocks on a terminal or a pipe. Size is the limit as a command-line flag value (1GiB,
// 256MiB, 1000).
package infile
