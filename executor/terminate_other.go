//go:build !unix

package executor

import "os/exec"

// terminate ends the worker: without Unix signals there is no gentler way.
func terminate(cmd *exec.Cmd) { killGroup(cmd) }
