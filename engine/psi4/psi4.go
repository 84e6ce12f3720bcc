package psi4

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/engine/internal/external"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Program runs Psi4. The zero value is ready to use: it runs "psi4" from PATH, one thread,
// scratch under os.TempDir(), in resident processes. A Program may be used from many
// goroutines at once; each Compute uses a resident Psi4 process of its own (at most one
// per concurrent Compute) or, with NoResident, starts one. Copies made after first use
// share the resident processes; Close ends them.
type Program struct {
	// Command is the psi4 executable, a name looked up in PATH or a path. Default "psi4".
	Command string
	// Scratch is the parent directory of the private per-task directories. Default
	// os.TempDir().
	Scratch string
	// Threads is the thread count for inputs that name none (see the package doc).
	// Zero or negative means 1.
	Threads int
	// Memory, if not empty, is Psi4's memory limit in any form psi4.set_memory accepts
	// ("2 GB", "500 MiB", or bytes). Used with Psi4 1.3's --json runner only.
	Memory string

	// NoResident runs every input in a Psi4 process of its own instead of in resident
	// processes (see the package documentation).
	NoResident bool
	// MaxTasks is how many tasks a resident process runs before it is replaced (0:
	// 1000); MaxRSS the resident memory in bytes above which one is replaced after a task
	// (0: 2 GiB).
	MaxTasks int
	MaxRSS   int64

	// Residence keeps the resident processes (shared by copies made after first use); its
	// Close ends them.
	external.Residence
}

func init() {
	engine.Register("psi4", &Program{})
}

// Interface checks.
var (
	_ engine.Program      = (*Program)(nil)
	_ engine.Finder       = (*Program)(nil)
	_ engine.GhostChecker = (*Program)(nil)
)

// SupportsGhosts reports true: Psi4 places basis functions on ghost atoms.
func (p *Program) SupportsGhosts() bool { return true }

func (p *Program) command() string {
	if p.Command == "" {
		return "psi4"
	}
	return p.Command
}

// Find implements engine.Finder: it looks up the psi4 executable and returns its version.
func (p *Program) Find(ctx context.Context) (string, error) {
	path, err := exec.LookPath(p.command())
	if err != nil {
		return "", fmt.Errorf("psi4 not found: %v", err)
	}
	v, err := probeVersion(ctx, path)
	if err != nil {
		return "", err
	}
	return v.text, nil
}

// threadKeys are the names under which an input may ask for a thread count.
const threadKey = "nthreads"

// threads picks the thread count: input extras, protocols, keywords, then p.Threads, then 1.
func (p *Program) threads(in *qcschema.AtomicInput) (int, error) {
	for _, src := range []struct {
		name string
		m    map[string]any
	}{{"extras", in.Extras}, {"protocols", in.Protocols}, {"keywords", in.Keywords}} {
		for k, v := range src.m {
			if !strings.EqualFold(k, threadKey) {
				continue
			}
			n, err := toInt(v)
			if err != nil || n < 1 {
				return 0, fmt.Errorf("%s[%s] = %s: want a positive integer", src.name, qcschema.Quote(k), qcschema.ExcerptValue(v))
			}
			return n, nil
		}
	}
	if p.Threads > 0 {
		return p.Threads, nil
	}
	return 1, nil
}

func toInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case float64:
		if x != math.Trunc(x) {
			return 0, fmt.Errorf("not an integer")
		}
		return int(x), nil
	case json.Number:
		n, err := x.Int64()
		return int(n), err
	case string:
		return strconv.Atoi(x)
	}
	return 0, fmt.Errorf("not a number")
}

// Compute runs Psi4 on in. See the package documentation for what passes through and how
// failures are reported.
func (p *Program) Compute(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	if in == nil {
		return nil, errors.New("psi4: nil input")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t, err := p.prepare(ctx, in)
	if err != nil {
		return nil, err
	}
	return external.Compute(p.NoResident,
		func() (*qcschema.AtomicResult, error) { return p.computeResident(ctx, in, t) },
		func() (*qcschema.AtomicResult, error) { return p.computePerTask(ctx, in, t) })
}

// task is what Compute learns about an input before running it.
type task struct {
	path     string // the psi4 command
	ver      version
	charges  []qcschema.PointCharge
	nthreads int
}

// prepare checks in and finds the psi4 command and its version. Its errors are
// FailedOperations, or ctx's error.
func (p *Program) prepare(ctx context.Context, in *qcschema.AtomicInput) (*task, error) {
	fail := func(typ, format string, args ...any) (*task, error) {
		return nil, qcschema.NewFailedOperation(in, typ, fmt.Sprintf(format, args...))
	}
	if !in.Driver.Valid() {
		return fail(qcschema.ErrorInput, "psi4: unknown driver %s", qcschema.Quote(in.Driver))
	}
	if len(in.Molecule.Geometry) != 3*in.Molecule.NAtom() {
		return fail(qcschema.ErrorInput, "psi4: molecule has %d symbols but %d coordinates", in.Molecule.NAtom(), len(in.Molecule.Geometry))
	}
	if err := external.CheckPaths(in.Keywords); err != nil {
		return fail(qcschema.ErrorInput, "psi4: %v", err)
	}
	path, err := exec.LookPath(p.command())
	if err != nil {
		return fail(qcschema.ErrorUnavailable, "psi4 not found: %v", err)
	}
	ver, err := probeVersion(ctx, path)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("psi4: %w", ctx.Err())
		}
		return fail(qcschema.ErrorUnavailable, "psi4 at %s does not run: %v", path, err)
	}
	charges, err := qcschema.EmbeddingCharges(in.Molecule.Extras)
	if err != nil {
		return fail(qcschema.ErrorInput, "psi4: molecule extras: %v", err)
	}
	if len(charges) > 0 && ver.atLeast(1, 4) && !ver.atLeast(1, 6) {
		return fail(qcschema.ErrorInput, "psi4 %s: embedding charges are supported with psi4 1.3 (EXTERN) and psi4 >= 1.6 (external_potentials), not 1.4/1.5", ver.text)
	}
	nthreads, err := p.threads(in)
	if err != nil {
		return fail(qcschema.ErrorInput, "psi4: %v", err)
	}
	return &task{path: path, ver: ver, charges: charges, nthreads: nthreads}, nil
}

// computePerTask runs in in a Psi4 process of its own: the psi4 command's QCSchema runner on
// an input file in a private scratch directory.
func (p *Program) computePerTask(ctx context.Context, in *qcschema.AtomicInput, t *task) (*qcschema.AtomicResult, error) {
	fail := func(typ, format string, args ...any) (*qcschema.AtomicResult, error) {
		return nil, qcschema.NewFailedOperation(in, typ, fmt.Sprintf(format, args...))
	}
	dir, err := external.ScratchDir(p.Scratch, "psi4")
	if err != nil {
		return fail(qcschema.ErrorResource, "psi4: scratch directory: %v", err)
	}
	defer os.RemoveAll(dir)

	doc, err := buildDocument(in, t.ver, t.charges, p.Memory, dir)
	if err != nil {
		return fail(qcschema.ErrorInput, "psi4: %v", err)
	}
	const inputName = "input.json"
	if err := os.WriteFile(filepath.Join(dir, inputName), doc, 0o644); err != nil {
		return fail(qcschema.ErrorResource, "psi4: write input: %v", err)
	}
	args := []string{"-n", strconv.Itoa(t.nthreads)}
	if charges := t.charges13(); len(charges) > 0 {
		// Psi4 1.3: EXTERN through a Python driver around json_wrapper.run_json.
		cdata, err := json.Marshal(charges)
		if err != nil {
			return fail(qcschema.ErrorInput, "psi4: embedding charges: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "charges.json"), cdata, 0o644); err != nil {
			return fail(qcschema.ErrorResource, "psi4: write charges: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "extern_driver.py"), []byte(externDriver13), 0o644); err != nil {
			return fail(qcschema.ErrorResource, "psi4: write driver: %v", err)
		}
		args = append(args, "-k", "extern_driver.py", "extern_driver.out")
	} else {
		args = append(args, t.ver.runnerFlag(), inputName)
	}
	env := append(os.Environ(),
		"PSI_SCRATCH="+dir,
		"OMP_NUM_THREADS="+strconv.Itoa(t.nthreads),
		"MKL_NUM_THREADS="+strconv.Itoa(t.nthreads),
	)
	stdout, stderr, runErr := external.Run(ctx, t.path, args, dir, env)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("psi4: %w", ctx.Err())
	}
	doc, readErr := os.ReadFile(filepath.Join(dir, inputName))
	return result(in, t.ver, ran{doc: doc, docErr: readErr, exit: runErr, stdout: stdout, stderr: stderr})
}

// buildDocument writes the JSON document Psi4's runner reads: the input with the
// molecule pinned (fix_com, fix_orientation), thread keys removed from keywords and
// protocols, and the runner's own fields for 1.3.
func buildDocument(in *qcschema.AtomicInput, ver version, charges []qcschema.PointCharge, memory, dir string) ([]byte, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	doc["schema_name"] = qcschema.SchemaInput
	doc["schema_version"] = 1

	mol, _ := doc["molecule"].(map[string]any)
	if mol == nil {
		return nil, errors.New("no molecule")
	}
	mol["schema_name"] = qcschema.SchemaMolecule
	mol["schema_version"] = 2
	mol["fix_com"] = true
	mol["fix_orientation"] = true
	if ex, ok := mol["extras"].(map[string]any); ok {
		delete(ex, "embedding_charges")
		if len(ex) == 0 {
			delete(mol, "extras")
		}
	}
	if len(charges) > 0 {
		mol["fix_symmetry"] = "c1"
	}

	model, _ := doc["model"].(map[string]any)
	if model == nil {
		model = map[string]any{}
		doc["model"] = model
	}
	if _, ok := model["basis"]; !ok {
		model["basis"] = "" // psi4 1.3 reads the key unconditionally
	}

	for _, key := range []string{"keywords", "protocols", "extras"} {
		m, _ := doc[key].(map[string]any)
		if m == nil {
			m = map[string]any{}
			doc[key] = m
		}
		if key != "extras" {
			for k := range m {
				if strings.EqualFold(k, threadKey) {
					delete(m, k)
				}
			}
		}
	}
	if len(charges) > 0 && ver.atLeast(1, 6) {
		kw := doc["keywords"].(map[string]any)
		fk, _ := kw["function_kwargs"].(map[string]any)
		if fk == nil {
			fk = map[string]any{}
		}
		fk["external_potentials"] = charges
		kw["function_kwargs"] = fk
	}
	if !ver.atLeast(1, 4) {
		doc["return_output"] = true
		doc["scratch_location"] = dir
		if memory != "" {
			if n, err := strconv.ParseInt(memory, 10, 64); err == nil {
				doc["memory"] = n
			} else {
				doc["memory"] = memory
			}
		}
	}
	return json.Marshal(doc)
}

// externDriver13 runs a QCSchema input with Psi4 1.3's json_wrapper.run_json after
// installing the point charges of charges.json (bohr: the molecule comes from a schema, so
// its units are bohr, and Psi4 1.3 reads external charges in the molecule's units) as the
// EXTERN external potential. The EXTERN option is also set as a keyword because run_json
// clears all options before it runs.
const externDriver13 = `import json
import psi4
from psi4 import core

with open("input.json") as f:
    data = json.load(f)
with open("charges.json") as f:
    charges = json.load(f)
ext = core.ExternalPotential()
for q, pos in charges:
    ext.addCharge(q, pos[0], pos[1], pos[2])
core.set_global_option_python("EXTERN", ext)
data["keywords"]["extern"] = True
data = psi4.json_wrapper.run_json(data)
with open("input.json", "w") as f:
    json.dump(data, f)
`
