package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
)

// requireQCElementalEnv makes TestQCElementalAcceptsResults fail, instead of skipping, where
// no Python with QCElemental is found: CI sets it, so that the check cannot silently not run.
const requireQCElementalEnv = "QCMB_REQUIRE_QCELEMENTAL"

// validateScript validates each file named on its command line (KIND=PATH) with
// QCElemental's models and prints one JSON line per file: {"path", "error"}, error null
// when the model accepts the document. KIND "manybody" checks the parts of a v1
// ManyBodyResult that are QCElemental's models (its molecule, component properties and
// component results); QCManyBody's own models are checked in Go (internal/qcmodels).
const validateScript = `
import json, sys
from qcelemental.models import AtomicResult, AtomicResultProperties, FailedOperation, Molecule, OptimizationResult

def manybody(doc):
    Molecule(**doc["input_data"]["molecule"])
    for p in doc["component_properties"].values():
        AtomicResultProperties(**p)
    for r in doc.get("component_results", {}).values():
        AtomicResult(**r)

models = {"atomic": lambda d: AtomicResult(**d), "failed": lambda d: FailedOperation(**d),
          "manybody": manybody, "optimization": lambda d: OptimizationResult(**d)}
for arg in sys.argv[1:]:
    kind, path = arg.split("=", 1)
    with open(path) as f:
        doc = json.load(f)
    try:
        models[kind](doc)
        err = None
    except Exception as e:
        err = "%s: %s" % (type(e).__name__, e)
    print(json.dumps({"path": path, "error": err}))
`

// qcelementalPython is a Python interpreter that imports qcelemental (Debian's
// python3-qcelemental), or "" after skipping the test where there is none.
func qcelementalPython(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(py)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import qcelemental.models").Run() == nil {
			return path
		}
	}
	msg := "no Python with qcelemental (apt-get install python3-qcelemental)"
	require.Empty(t, os.Getenv(requireQCElementalEnv), "%s, and %s is set", msg, requireQCElementalEnv)
	t.Skip(msg)
	return ""
}

// qcelementalDocs collects documents for QCElemental to judge.
type qcelementalDocs struct {
	t    *testing.T
	dir  string
	args []string
	name map[string]string // path -> what the document is
}

func (d *qcelementalDocs) add(kind, name string, doc []byte) {
	d.t.Helper()
	path := filepath.Join(d.dir, fmt.Sprintf("%03d.json", len(d.args)))
	require.NoError(d.t, os.WriteFile(path, doc, 0o644), name)
	d.args = append(d.args, kind+"="+path)
	d.name[path] = name
}

// compute adds what qcmb compute writes for the input: an AtomicResult, or the
// FailedOperation of a failure.
func (d *qcelementalDocs) compute(name, program, input string) {
	d.t.Helper()
	path := filepath.Join(d.t.TempDir(), "input.json")
	require.NoError(d.t, os.WriteFile(path, []byte(input), 0o644))
	out, err := execute(d.t, "compute", "--program", program, path)
	kind := "atomic"
	if err != nil {
		kind = "failed"
		require.Contains(d.t, out, `"success": false`, "%s: %v", name, err)
	}
	d.add(kind, name, []byte(out))
}

// TestQCElementalAcceptsResults has QCElemental (Debian's python3-qcelemental, pydantic
// models) judge what qcmb writes: the AtomicResult of every method, driver and reference
// the embedded program has, of Psi4, xtb and QCEngine where installed, the
// FailedOperations of failed single points and of the worker protocol, and the molecule,
// component properties and component results of ManyBodyResults.
func TestQCElementalAcceptsResults(t *testing.T) {
	python := qcelementalPython(t)
	docs := &qcelementalDocs{t: t, dir: t.TempDir(), name: map[string]string{}}
	water := `{"symbols": ["O", "H", "H"], "geometry": [0, 0, -0.13, 0, 1.43, 1.03, 0, -1.43, 1.03]%s}`
	input := func(mol, driver, method, basis, keywords string) string {
		return fmt.Sprintf(`{"schema_name": "qcschema_input", "schema_version": 1, "molecule": %s, "driver": %q,
			"model": {"method": %q, "basis": %q}, "keywords": %s}`, mol, driver, method, basis, keywords)
	}
	neutral, cation := fmt.Sprintf(water, ""), fmt.Sprintf(water, `, "molecular_charge": 1, "molecular_multiplicity": 2`)
	for _, method := range []string{"hf", "mp2"} {
		for _, driver := range []string{"energy", "gradient", "hessian"} {
			docs.compute("embedded "+method+" "+driver, "embedded", input(neutral, driver, method, "sto-3g", "{}"))
			docs.compute("embedded uhf "+method+" "+driver, "embedded", input(cation, driver, method, "sto-3g", `{"reference": "uhf"}`))
		}
	}
	docs.compute("embedded unknown basis", "embedded", input(neutral, "energy", "hf", "6-31q", "{}"))
	docs.compute("embedded SCF not converged", "embedded", input(neutral, "energy", "hf", "sto-3g", `{"maxiter": 1}`))
	docs.compute("embedded unknown keyword", "embedded", input(neutral, "energy", "hf", "sto-3g", `{"basis_guess": true}`))

	external := []struct{ program, name, driver, method, basis string }{
		{"psi4", "psi4 hf gradient", "gradient", "hf", "sto-3g"},
		{"psi4", "psi4 mp2 gradient", "gradient", "mp2", "sto-3g"},
		{"psi4", "psi4 b3lyp energy", "energy", "b3lyp", "sto-3g"},
		{"psi4", "psi4 hf hessian", "hessian", "hf", "sto-3g"},
		{"psi4", "psi4 failure", "energy", "hf", "no-such-basis"},
		{"xtb", "xtb gradient", "gradient", "gfn2-xtb", ""},
	}
	for _, e := range external {
		if _, _, err := engine.Availability(context.Background(), e.program); err != nil {
			t.Logf("%s: not checked: %v", e.name, err)
			continue
		}
		docs.compute(e.name, e.program, input(neutral, e.driver, e.method, e.basis, "{}"))
	}
	if _, _, err := engine.Availability(context.Background(), "psi4"); err == nil {
		if _, _, err := engine.Availability(context.Background(), "qcengine"); err == nil {
			in := strings.Replace(input(neutral, "gradient", "hf", "sto-3g", "{}"), `"keywords"`, `"extras": {"qcengine_program": "psi4"}, "keywords"`, 1)
			docs.compute("qcengine psi4 gradient", "qcengine", in)
		}
	}

	// The worker protocol: a result, a program's failure, a line that is no JSON and one
	// for an unknown program.
	lines := strings.Join([]string{
		strings.ReplaceAll(input(neutral, "gradient", "hf", "sto-3g", "{}"), "\n", " "),
		strings.ReplaceAll(input(neutral, "energy", "hf", "6-31q", "{}"), "\n", " "),
		`{"schema_name": "qcschema_input",`,
		strings.Replace(strings.ReplaceAll(input(neutral, "energy", "hf", "sto-3g", "{}"), "\n", " "), `"keywords"`, `"extras": {"qcmb:program": "no-such-program"}, "keywords"`, 1),
	}, "\n") + "\n"
	var out bytes.Buffer
	s := &executor.Server{Runner: executor.EngineRunner()}
	require.NoError(t, s.Serve(context.Background(), strings.NewReader(lines), &out))
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<26)
	for k := 0; sc.Scan(); k++ {
		kind := "failed"
		if k == 0 {
			kind = "atomic"
		}
		docs.add(kind, fmt.Sprintf("worker line %d", k+1), append([]byte(nil), sc.Bytes()...))
	}

	// The QCElemental parts of ManyBodyResults with every component's AtomicResult.
	for _, driver := range []string{"energy", "gradient", "hessian"} {
		res := filepath.Join(t.TempDir(), "result.json")
		_, err := execute(t, "run", interopInput(t, 1, driver), "--no-store", "--executor", "serial", "-o", res)
		require.NoError(t, err)
		data, err := os.ReadFile(res)
		require.NoError(t, err)
		docs.add("manybody", "ManyBodyResult "+driver, data)
	}

	// v1 optimizations (QCElemental's OptimizationInput): converged, and the partial result
	// of one that did not converge.
	for _, maxiter := range []int{50, 2} {
		in := fmt.Sprintf(`{"schema_name": "qcschema_optimization_input", "schema_version": 1, "initial_molecule": %s,
			"input_specification": {"model": {"method": "hf", "basis": "sto-3g"}},
			"keywords": {"program": "embedded", "geom_maxiter": %d}, "protocols": {"trajectory": "all"}}`, neutral, maxiter)
		dir := t.TempDir()
		path, res := filepath.Join(dir, "opt.json"), filepath.Join(dir, "result.json")
		require.NoError(t, os.WriteFile(path, []byte(in), 0o644))
		_, err := execute(t, "optimize", path, "--no-store", "--executor", "serial", "-o", res)
		require.Equal(t, maxiter == 2, err != nil, "optimize with geom_maxiter %d: %v", maxiter, err)
		data, err := os.ReadFile(res)
		require.NoError(t, err)
		docs.add("optimization", fmt.Sprintf("v1 OptimizationResult, geom_maxiter %d", maxiter), data)
	}

	cmd := exec.Command(python, append([]string{"-c", validateScript}, docs.args...)...)
	cmd.Stderr = os.Stderr
	report, err := cmd.Output()
	require.NoError(t, err)
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(report)), "\n") {
		var r struct {
			Path  string  `json:"path"`
			Error *string `json:"error"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		checked++
		if r.Error != nil {
			assert.Fail(t, "QCElemental refuses it", "%s: %s", docs.name[r.Path], *r.Error)
		}
	}
	require.Equal(t, len(docs.args), checked, "every document judged")
}
