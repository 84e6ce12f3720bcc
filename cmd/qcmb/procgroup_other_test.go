//go:build !unix

package main

import "os/exec"

// killGroupOnCancel leaves cmd as it is where there are no process groups: its context's
// end kills the process itself (exec.CommandContext's default).
func killGroupOnCancel(cmd *exec.Cmd) {}
