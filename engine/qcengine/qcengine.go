package qcengine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/engine/internal/external"
	"github.com/qcmb-go/qcmb/qcschema"
)

// ProgramKey is the AtomicInput extras key that names the QCEngine program for a Program
// whose Program field is empty.
const ProgramKey = "qcengine_program"

// Program runs tasks through QCEngine. The zero value takes the QCEngine program from each
// input's extras[ProgramKey]. A Program holds no state and may be used concurrently.
type Program struct {
	// Python is the interpreter that has qcengine. Empty: "python3", else /usr/bin/python3.
	Python string
	// Program is the QCEngine program name ("psi4", "nwchem", ...). Empty: taken from the
	// input's extras[ProgramKey].
	Program string
	// Scratch is the parent directory of the private per-task directories. Default
	// os.TempDir().
	Scratch string
	// Threads is QCEngine's ncores for inputs that name none (extras["nthreads"]). Zero
	// means 1.
	Threads int

	// NoResident runs every input in a Python process of its own instead of in resident
	// processes (see the package documentation).
	NoResident bool
	// MaxTasks is how many tasks a resident process runs before it is replaced (0:
	// 1000); MaxRSS the resident memory in bytes above which one is replaced after a task
	// (0: 2 GiB).
	MaxTasks int
	MaxRSS   int64

	// Residence keeps the resident processes (shared by copies made after first use, and
	// with the programs Resolve returns); its Close ends them.
	external.Residence
}

// New returns a Program that always runs the QCEngine program name.
func New(program string) *Program { return &Program{Program: program} }

func init() {
	engine.Register("qcengine", &Program{})
}

var (
	_ engine.Program  = (*Program)(nil)
	_ engine.Finder   = (*Program)(nil)
	_ engine.Resolver = (*Program)(nil)
)

// knownPrograms are the program names QCEngine's harnesses run (qcengine.list_all_programs
// of QCEngine 0.26 to 0.50). The registry hands a specification that names one of them,
// and no native engine of that name, to the QCEngine bridge, as QCManyBody does.
var knownPrograms = []string{
	"adcc", "aimnet2", "cfour", "dftd3", "dftd4", "entos", "gamess", "gcp", "madness",
	"mctc-gcp", "molpro", "mopac", "mp2d", "mrchem", "nwchem", "openmm", "psi4", "qchem",
	"qcore", "rdkit", "s-dftd3", "terachem", "terachem_frontend", "terachem_pbs", "torchani",
	"turbomole", "xtb",
}

// Resolve implements engine.Resolver: a Program for name when name is one of QCEngine's
// programs. Only the registered zero-value Program resolves; a Program bound to one
// QCEngine program does not adopt others.
func (p *Program) Resolve(name string) (engine.Program, bool) {
	if p.Program != "" {
		return nil, false
	}
	name = strings.ToLower(name)
	for _, k := range knownPrograms {
		if k == name {
			p.Pool() // made now, so that the resolved program shares it
			q := external.Copy(p)
			q.Program = name
			return &q, true
		}
	}
	return nil, false
}

// Programs implements engine.Resolver.
func (p *Program) Programs() []string {
	if p.Program != "" {
		return nil
	}
	return append([]string(nil), knownPrograms...)
}

// pythonCandidates are tried in order when Program.Python is empty.
var pythonCandidates = []string{"python3", "/usr/bin/python3"}

// interpreters caches, per Program.Python setting, the interpreter found to import
// qcengine and its qcengine version. Failures are not cached.
var interpreters struct {
	sync.Mutex
	m map[string]found
}

// found is an interpreter that imports qcengine, qcengine's version and the programs
// QCEngine finds on this machine (looked up once: each look-up starts Python).
type found struct {
	python, version string
	available       []string
}

const versionScript = `import qcengine
print(qcengine.__version__)
print(" ".join(sorted(qcengine.list_available_programs())))
`

// interpreter returns the Python interpreter that imports qcengine, and qcengine's version.
func (p *Program) interpreter(ctx context.Context) (found, error) {
	key := p.Python
	interpreters.Lock()
	f, ok := interpreters.m[key]
	interpreters.Unlock()
	if ok {
		return f, nil
	}
	cands := pythonCandidates
	if p.Python != "" {
		cands = []string{p.Python}
	}
	var errs []string
	for _, py := range cands {
		stdout, stderr, err := external.Run(ctx, py, []string{"-c", versionScript}, "", nil)
		if ctx.Err() != nil {
			return found{}, ctx.Err()
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v: %s", py, err, lastLine(string(stderr))))
			continue
		}
		lines := strings.SplitN(strings.TrimSpace(string(stdout)), "\n", 2)
		f = found{python: py, version: strings.TrimSpace(lines[0])}
		if len(lines) == 2 {
			f.available = strings.Fields(lines[1])
		}
		interpreters.Lock()
		if interpreters.m == nil {
			interpreters.m = map[string]found{}
		}
		interpreters.m[key] = f
		interpreters.Unlock()
		return f, nil
	}
	return found{}, fmt.Errorf("no Python interpreter imports qcengine (%s)", strings.Join(errs, "; "))
}

// Find implements engine.Finder: it returns QCEngine's version; for a Program with a fixed
// QCEngine program it also checks that QCEngine finds that program.
func (p *Program) Find(ctx context.Context) (string, error) {
	f, err := p.interpreter(ctx)
	if err != nil {
		return "", err
	}
	if p.Program == "" {
		return f.version, nil
	}
	for _, name := range f.available {
		if strings.EqualFold(name, p.Program) {
			return f.version, nil
		}
	}
	return f.version, fmt.Errorf("qcengine %s does not find program %s (available: %s)", f.version, qcschema.Quote(p.Program), strings.Join(f.available, " "))
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// Compute runs in through QCEngine. See the package documentation.
func (p *Program) Compute(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	if in == nil {
		return nil, errors.New("qcengine: nil input")
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
	program string // QCEngine's name of the program
	threads int
	python  string
	doc     []byte // the input QCEngine reads
}

// prepare checks in, picks the program, thread count and interpreter and writes the input
// document. Its errors are FailedOperations, or ctx's error.
func (p *Program) prepare(ctx context.Context, in *qcschema.AtomicInput) (*task, error) {
	fail := func(typ, format string, args ...any) (*task, error) {
		return nil, qcschema.NewFailedOperation(in, typ, fmt.Sprintf(format, args...))
	}
	program := p.Program
	if program == "" {
		s, _ := in.Extras[ProgramKey].(string)
		program = strings.TrimSpace(s)
	}
	if program == "" {
		return fail(qcschema.ErrorInput, "qcengine: no program: set extras[%q] in the input (or the specification's extras), or use a Program from qcengine.New", ProgramKey)
	}
	threads := max(p.Threads, 1)
	if v, ok := in.Extras["nthreads"]; ok {
		n, ok := v.(float64)
		if i, isInt := v.(int); isInt {
			n, ok = float64(i), true
		}
		if !ok || n < 1 || n != math.Trunc(n) {
			return fail(qcschema.ErrorInput, "qcengine: extras nthreads = %v: want a positive integer", v)
		}
		threads = int(n)
	}
	if err := external.CheckPaths(in.Keywords); err != nil {
		return fail(qcschema.ErrorInput, "qcengine: %v", err)
	}
	py, err := p.interpreter(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("qcengine: %w", ctx.Err())
		}
		return fail(qcschema.ErrorUnavailable, "qcengine: %v", err)
	}
	doc := *in
	doc.SchemaName, doc.SchemaVersion = qcschema.SchemaInput, 1
	doc.Molecule.FixCom, doc.Molecule.FixOrientation = true, true
	if doc.Keywords == nil {
		doc.Keywords = map[string]any{}
	}
	if doc.Protocols == nil {
		doc.Protocols = map[string]any{}
	}
	if doc.Extras == nil {
		doc.Extras = map[string]any{}
	}
	data, err := json.Marshal(&doc)
	if err != nil {
		return fail(qcschema.ErrorInput, "qcengine: %v", err)
	}
	return &task{program: program, threads: threads, python: py.python, doc: data}, nil
}

// computePerTask runs in in a process of its own: python -m qcengine run in a private
// scratch directory.
func (p *Program) computePerTask(ctx context.Context, in *qcschema.AtomicInput, t *task) (*qcschema.AtomicResult, error) {
	fail := func(typ, format string, args ...any) (*qcschema.AtomicResult, error) {
		return nil, qcschema.NewFailedOperation(in, typ, fmt.Sprintf(format, args...))
	}
	dir, err := external.ScratchDir(p.Scratch, "qcengine")
	if err != nil {
		return fail(qcschema.ErrorResource, "qcengine: scratch directory: %v", err)
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "input.json"), t.doc, 0o644); err != nil {
		return fail(qcschema.ErrorResource, "qcengine: %v", err)
	}
	config := fmt.Sprintf("qcmb:\n  hostname_pattern: \"*\"\n  ncores: %d\n  jobs_per_node: 1\n  scratch_directory: %s\n", t.threads, strconv.Quote(dir))
	if err := os.WriteFile(filepath.Join(dir, "qcengine.yaml"), []byte(config), 0o644); err != nil {
		return fail(qcschema.ErrorResource, "qcengine: %v", err)
	}
	env := append(os.Environ(), "DQM_CONFIG_PATH="+dir, "TMPDIR="+dir, "OMP_NUM_THREADS="+strconv.Itoa(t.threads))
	stdout, stderr, runErr := external.Run(ctx, t.python, []string{"-m", "qcengine", "run", t.program, "input.json"}, dir, env)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("qcengine: %w", ctx.Err())
	}
	return decode(in, stdout, stderr, runErr)
}

// decode reads QCEngine's printed result: the last stdout line that is a JSON object.
func decode(in *qcschema.AtomicInput, stdout, stderr []byte, runErr error) (*qcschema.AtomicResult, error) {
	var line []byte
	for _, l := range bytes.Split(bytes.TrimSpace(stdout), []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 && l[0] == '{' {
			line = l
		}
	}
	if line == nil {
		msg := strings.TrimSpace(string(stderr))
		if len(msg) > 4000 {
			msg = "..." + msg[len(msg)-4000:]
		}
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorUnknown, fmt.Sprintf("qcengine printed no result (exit: %v): %s", runErr, msg))
	}
	return decodeResult(in, line)
}

// decodeResult reads QCEngine's AtomicResult or FailedOperation JSON.
func decodeResult(in *qcschema.AtomicInput, line []byte) (*qcschema.AtomicResult, error) {
	var head struct {
		Success bool                   `json:"success"`
		Error   *qcschema.ComputeError `json:"error"`
		Extras  map[string]any         `json:"extras"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorUnknown, fmt.Sprintf("qcengine result: %v", err))
	}
	if !head.Success {
		f := qcschema.NewFailedOperation(in, qcschema.ErrorUnknown, "qcengine failed without an error record")
		if head.Error != nil {
			f.ComputeError = *head.Error
		}
		f.Extras = head.Extras
		return nil, f
	}
	var res qcschema.AtomicResult
	if err := json.Unmarshal(line, &res); err != nil {
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorUnknown, fmt.Sprintf("qcengine result: %v", err))
	}
	res.Molecule = in.Molecule
	res.ID = in.ID
	res.Error = nil
	if res.Provenance.Creator == "Psi4" && strings.HasPrefix(res.Provenance.Version, "1.3") {
		// Psi4 1.3 reports the SCF dipole in debye; QCSchema wants e·bohr.
		for i := range res.Properties.SCFDipoleMoment {
			res.Properties.SCFDipoleMoment[i] /= debyePerAU
		}
	}
	switch in.Driver {
	case qcschema.DriverGradient:
		if res.Properties.ReturnGradient == nil {
			res.Properties.ReturnGradient = res.ReturnResult.Array
		}
	case qcschema.DriverHessian:
		if res.Properties.ReturnHessian == nil {
			res.Properties.ReturnHessian = res.ReturnResult.Array
		}
	}
	return &res, nil
}

// debyePerAU is QCElemental's dipmom_au2debye.
const debyePerAU = 2.541746473
