package psi4

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/engine/internal/external"
	"github.com/qcmb-go/qcmb/qcschema"
)

var _ engine.Checker = (*Program)(nil)

// catalogScript prints what the Psi4 it imports can compute: its energy methods (a
// gradient or Hessian of any of them is computed, by finite differences where needed) and
// the basis set files where it looks for them (PSIPATH and its library; the scratch
// directory it runs in has none).
const catalogScript = `
import json, os, psi4
from psi4.driver.procrouting import proc_table
dirs = [os.path.abspath(d) for d in os.environ.get("PSIPATH", "").split(os.pathsep) if d]
dirs.append(os.path.join(os.path.abspath(psi4.core.get_datadir()), "basis"))
files = set()
for d in dirs:
    try:
        files.update(f for f in os.listdir(d) if f.endswith(".gbs"))
    except OSError:
        pass
print(json.dumps({"methods": sorted(proc_table.procedures["energy"]), "basis_dirs": dirs, "basis_files": sorted(files)}))
`

// catalog is what one Psi4 installation can compute, as catalogScript prints it.
type catalog struct {
	Methods    []string `json:"methods"`
	BasisDirs  []string `json:"basis_dirs"`
	BasisFiles []string `json:"basis_files"`
}

// catalogs caches catalogOf per psi4 command path. Failures are not cached.
var catalogs struct {
	sync.Mutex
	m map[string]*catalog
}

// catalogOf asks the Psi4 that the command at path runs for its catalog (about a second:
// one import of psi4).
func catalogOf(ctx context.Context, path string) (*catalog, error) {
	catalogs.Lock()
	c, ok := catalogs.m[path]
	catalogs.Unlock()
	if ok {
		return c, nil
	}
	py, err := interpreterOf(ctx, path)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	stdout, stderr, err := external.Run(ctx, py.python, []string{"-c", catalogScript}, "", py.environ())
	if err != nil {
		return nil, fmt.Errorf("asking Psi4 for its methods and basis sets: %v: %s", err, tail(string(stderr), 500))
	}
	c = &catalog{}
	if err := json.Unmarshal(stdout, c); err != nil {
		return nil, fmt.Errorf("asking Psi4 for its methods and basis sets: %v", err)
	}
	catalogs.Lock()
	if catalogs.m == nil {
		catalogs.m = map[string]*catalog{}
	}
	catalogs.m[path] = c
	catalogs.Unlock()
	return c, nil
}

// basisFile is the file Psi4 reads the basis set name from (qcdb's
// BasisSet.make_filename): lower case, ( ) and , as _, * as s, + as p.
func basisFile(name string) string {
	return strings.NewReplacer("(", "_", ")", "_", ",", "_", "*", "s", "+", "p").Replace(strings.ToLower(name)) + ".gbs"
}

// arbitraryOrder matches the methods Psi4 takes at any order (mp7, zapt4, ci6, ...),
// which its method table lists under another name.
var arbitraryOrder = regexp.MustCompile(`^[a-z-]+\d+$`)

// Check implements engine.Checker where Psi4 can tell before it runs: a basis set that
// has no file where Psi4 looks for one, or a method that is none of Psi4's, is refused,
// quoted as the input spells it. What Psi4 cannot be asked about (a psi4 command that is
// no Python script or whose Python cannot import psi4, composite "method/basis" names,
// basis sets given in keywords) is left to Psi4 when tasks run.
func (p *Program) Check(ctx context.Context, in *qcschema.AtomicInput) error {
	path, err := exec.LookPath(p.command())
	if err != nil {
		return fmt.Errorf("psi4 not found: %v", err)
	}
	c, err := catalogOf(ctx, path)
	if err != nil {
		return ctx.Err() // Psi4 cannot tell; its tasks will
	}
	return c.check(in)
}

func (c *catalog) check(in *qcschema.AtomicInput) error {
	method := strings.ToLower(in.Model.Method)
	if method != "" && !strings.Contains(method, "/") && !arbitraryOrder.MatchString(method) && !slices.Contains(c.Methods, method) {
		return fmt.Errorf("Psi4 has no method %s%s", qcschema.Quote(in.Model.Method), didYouMean(in.Model.Method, c.Methods))
	}
	basis := in.Model.Basis
	if _, inKeywords := in.Keywords["basis"]; basis == "" || inKeywords || strings.ContainsAny(basis, "[]") {
		return nil
	}
	if file := basisFile(basis); !slices.Contains(c.BasisFiles, file) {
		names := make([]string, len(c.BasisFiles))
		for i, f := range c.BasisFiles {
			names[i] = strings.TrimSuffix(f, ".gbs")
		}
		return fmt.Errorf("Psi4 has no basis set %s (no %s in %s)%s", qcschema.Quote(basis), file,
			strings.Join(c.BasisDirs, ", "), didYouMean(basis, names))
	}
	return nil
}

func didYouMean(name string, known []string) string {
	if best := qcschema.ClosestName(name, known); best != "" {
		return fmt.Sprintf(" (did you mean %s?)", qcschema.Quote(best))
	}
	return ""
}
