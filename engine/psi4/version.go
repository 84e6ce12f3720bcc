package psi4

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qcmb-go/qcmb/engine/internal/external"
)

// version is a parsed Psi4 version.
type version struct {
	text         string // as psi4 --version printed it, e.g. "1.3.2"
	major, minor int
}

// atLeast reports whether v >= major.minor.
func (v version) atLeast(major, minor int) bool {
	return v.major > major || (v.major == major && v.minor >= minor)
}

// runnerFlag is the command-line flag of Psi4's QCSchema runner for this version.
func (v version) runnerFlag() string {
	if v.atLeast(1, 4) {
		return "--qcschema"
	}
	return "--json"
}

var versionRE = regexp.MustCompile(`(\d+)\.(\d+)(\S*)`)

// parseVersion finds the version in psi4 --version output (the last line that has one:
// Psi4 may print warnings first).
func parseVersion(out string) (version, error) {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		m := versionRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		major, _ := strconv.Atoi(m[1])
		minor, _ := strconv.Atoi(m[2])
		return version{text: strings.TrimSpace(m[0]), major: major, minor: minor}, nil
	}
	return version{}, fmt.Errorf("no version in %q", strings.TrimSpace(out))
}

// versionCache remembers each executable's version (keyed by its resolved path), so
// `psi4 --version`, which takes about half a second, runs once per executable and process.
// Failures are not cached.
var versionCache struct {
	sync.Mutex
	m map[string]version
}

// probeVersion returns the version of the psi4 executable at path, running it at most once
// successfully per path.
func probeVersion(ctx context.Context, path string) (version, error) {
	versionCache.Lock()
	v, ok := versionCache.m[path]
	versionCache.Unlock()
	if ok {
		return v, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	// In a directory of its own: Psi4 writes timer.dat into its working directory at exit.
	dir, err := external.ScratchDir("", "psi4-version")
	if err != nil {
		return version{}, err
	}
	defer os.RemoveAll(dir)
	stdout, stderr, err := external.Run(ctx, path, []string{"--version"}, dir, nil)
	if ctx.Err() != nil {
		return version{}, ctx.Err()
	}
	if err != nil {
		return version{}, fmt.Errorf("%s --version: %v: %s", path, err, tail(string(stderr)+string(stdout), 800))
	}
	v, err = parseVersion(string(stdout))
	if err != nil {
		return version{}, fmt.Errorf("%s --version: %v", path, err)
	}
	versionCache.Lock()
	if versionCache.m == nil {
		versionCache.m = map[string]version{}
	}
	versionCache.m[path] = v
	versionCache.Unlock()
	return v, nil
}

// tail returns at most the last n bytes of s, trimmed.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}
