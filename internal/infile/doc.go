// Package infile reads input files whole, as qcmb's commands and its component reader do:
// at most a limit of bytes (so that /dev/zero or a runaway pipe is refused rather than
// read until memory runs out; memory stays bounded by the limit), giving up as soon as a
// context ends, even while a read blocks on a terminal or a pipe. Files are opened without
// blocking (a named pipe with no writer would otherwise hold the open, deaf to signals),
// and only regular files, pipes and standard input are read: a device or a directory is
// an error naming it. Size is the limit as a command-line flag value (1GiB, 256MiB, 1000).
package infile
