package main

import (
	"fmt"
	"runtime/debug"

	"github.com/qcmb-go/qcmb/manybody/computer"
)

// versionString says which qcmb this is: the module version the binary was built from
// (a tag with go install module@version, "(devel)" from a checkout), the VCS revision and
// whether the tree had uncommitted changes, and the Go version.
func versionString() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return computer.Version
	}
	return formatVersion(info)
}

func formatVersion(info *debug.BuildInfo) string {
	mod := info.Main.Version
	if mod == "" || mod == "(devel)" {
		mod = computer.Version + "-devel"
	}
	var rev, when string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	out := mod
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		out += " (revision " + rev
		if when != "" {
			out += ", " + when
		}
		if modified {
			out += ", modified"
		}
		out += ")"
	}
	return fmt.Sprintf("%s, %s", out, info.GoVersion)
}
