package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/qcmb-go/qcmb/"

// pkg is what go list -json says of a package.
type pkg struct {
	ImportPath string
	Imports    []string
}

// goList runs go list -json with args in the module and decodes its packages. The test
// is skipped where the go command is not on PATH (a test binary copied elsewhere).
func goList(t *testing.T, args ...string) []pkg {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	cmd := exec.Command(goCmd, append([]string{"list", "-json"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	var stderr []byte
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		stderr = ee.Stderr
	}
	require.NoError(t, err, "go list %s\n%s", strings.Join(args, " "), stderr)
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		err := dec.Decode(&p)
		if err == io.EOF {
			return pkgs
		}
		require.NoError(t, err)
		pkgs = append(pkgs, p)
	}
}

// TestCoreImportsOnlyQCSchema: package manybody, the pure Core, imports qcschema and the
// standard library and nothing else.
func TestCoreImportsOnlyQCSchema(t *testing.T) {
	pkgs := goList(t, "./manybody")
	require.Len(t, pkgs, 1)
	std := map[string]bool{}
	for _, p := range goList(t, "std") {
		std[p.ImportPath] = true
	}
	for _, imp := range pkgs[0].Imports {
		assert.True(t, std[imp] || imp == module+"qcschema", "manybody imports %s", imp)
	}
}

// TestComputerLinksNoSQLite: manybody/computer, and so every program that runs many-body
// calculations without a file store, links no SQLite.
func TestComputerLinksNoSQLite(t *testing.T) {
	deps := goList(t, "-deps", "./manybody/computer")
	require.NotEmpty(t, deps)
	for _, p := range deps {
		assert.False(t, strings.HasPrefix(p.ImportPath, "modernc.org/") || strings.Contains(p.ImportPath, "sqlite"),
			"manybody/computer depends on %s", p.ImportPath)
	}
}
