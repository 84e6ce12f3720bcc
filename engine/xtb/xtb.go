package xtb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/engine/internal/external"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Program runs xtb. The zero value is ready to use: "xtb" from PATH, one thread, scratch
// under os.TempDir(). A Program holds no state and may be used from many goroutines.
type Program struct {
	// Command is the xtb executable, a name looked up in PATH or a path. Default "xtb".
	Command string
	// Scratch is the parent directory of the private per-task directories. Default
	// os.TempDir().
	Scratch string
	// Threads is the OpenMP thread count for inputs that name none. Zero means 1.
	Threads int
}

func init() {
	engine.Register("xtb", &Program{})
}

// Interface checks.
var (
	_ engine.Program      = (*Program)(nil)
	_ engine.Finder       = (*Program)(nil)
	_ engine.GhostChecker = (*Program)(nil)
)

// SupportsGhosts reports false: xtb cannot run ghost atoms, so counterpoise-corrected
// many-body plans (cp, vmfc) cannot use it; nocp can.
func SupportsGhosts() bool { return false }

// SupportsGhosts implements engine.GhostChecker; it reports false.
func (p *Program) SupportsGhosts() bool { return SupportsGhosts() }

func (p *Program) command() string {
	if p.Command == "" {
		return "xtb"
	}
	return p.Command
}

var versionRE = regexp.MustCompile(`xtb version (\S+)`)

// Find implements engine.Finder: it looks up the xtb executable and returns its version.
func (p *Program) Find(ctx context.Context) (string, error) {
	path, err := exec.LookPath(p.command())
	if err != nil {
		return "", fmt.Errorf("xtb not found: %v", err)
	}
	stdout, stderr, err := external.Run(ctx, path, []string{"--version"}, "", nil)
	if m := versionRE.FindSubmatch(stdout); m != nil {
		return string(m[1]), nil
	}
	if err == nil {
		err = errors.New("no version in output")
	}
	return "", fmt.Errorf("%s --version: %v: %s", path, err, tail(string(stderr)+string(stdout), 500))
}

// Check implements engine.Checker: the driver, method, basis and keywords of in, before any
// work.
func (p *Program) Check(_ context.Context, in *qcschema.AtomicInput) error {
	if _, err := checkModel(in); err != nil {
		return err
	}
	if _, err := parseKeywords(in.Keywords); err != nil {
		return fmt.Errorf("xtb: %w", err)
	}
	return nil
}

// checkModel checks the driver, method and basis of in and returns the GFN level.
func checkModel(in *qcschema.AtomicInput) (int, error) {
	switch in.Driver {
	case qcschema.DriverEnergy, qcschema.DriverGradient:
	case qcschema.DriverHessian:
		return 0, errors.New("xtb: the hessian driver is not supported by this engine (energy and gradient only)")
	default:
		return 0, fmt.Errorf("xtb: driver %s not supported (energy and gradient only)", qcschema.Quote(in.Driver))
	}
	gfn, ok := method(in.Model.Method)
	if !ok {
		return 0, fmt.Errorf("xtb: unknown method %s (want gfn2-xtb or gfn1-xtb)", qcschema.Quote(in.Model.Method))
	}
	if in.Model.Basis != "" {
		return 0, fmt.Errorf("xtb: basis must be empty for %s, got %s", in.Model.Method, qcschema.Quote(in.Model.Basis))
	}
	return gfn, nil
}

// method maps a model method to xtb's --gfn level.
func method(m string) (int, bool) {
	switch strings.ToLower(strings.TrimSpace(m)) {
	case "", "gfn2-xtb", "gfn2xtb", "gfn2":
		return 2, true
	case "gfn1-xtb", "gfn1xtb", "gfn1":
		return 1, true
	}
	return 0, false
}

// options are the keywords xtb understands.
type options struct {
	accuracy, etemp   float64 // 0: xtb default
	maxIter, nthreads int
}

func parseKeywords(kw map[string]any) (options, error) {
	var o options
	keys := make([]string, 0, len(kw))
	for k := range kw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := kw[k]
		x, ok := number(v)
		switch strings.ToLower(k) {
		case "accuracy":
			if !ok || x <= 0 {
				return o, fmt.Errorf("keyword accuracy = %v: want a positive number", v)
			}
			o.accuracy = x
		case "electronic_temperature":
			if !ok || x < 0 {
				return o, fmt.Errorf("keyword electronic_temperature = %v: want kelvin >= 0", v)
			}
			o.etemp = x
		case "max_iterations":
			if !ok || x < 1 || x != math.Trunc(x) {
				return o, fmt.Errorf("keyword max_iterations = %v: want a positive integer", v)
			}
			o.maxIter = int(x)
		case "nthreads":
			if !ok || x < 1 || x != math.Trunc(x) {
				return o, fmt.Errorf("keyword nthreads = %v: want a positive integer", v)
			}
			o.nthreads = int(x)
		default:
			return o, fmt.Errorf("unknown keyword %s (xtb takes accuracy, electronic_temperature, max_iterations, nthreads)", qcschema.Quote(k))
		}
	}
	return o, nil
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// Compute runs xtb on in. See the package documentation.
func (p *Program) Compute(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	if in == nil {
		return nil, errors.New("xtb: nil input")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fail := func(typ, format string, args ...any) (*qcschema.AtomicResult, error) {
		return nil, qcschema.NewFailedOperation(in, typ, fmt.Sprintf(format, args...))
	}
	j, err := p.plan(in)
	if err != nil {
		return fail(qcschema.ErrorInput, "%v", err)
	}
	path, err := exec.LookPath(p.command())
	if err != nil {
		return fail(qcschema.ErrorUnavailable, "xtb not found: %v", err)
	}
	dir, err := external.ScratchDir(p.Scratch, "xtb")
	if err != nil {
		return fail(qcschema.ErrorResource, "xtb: scratch directory: %v", err)
	}
	defer os.RemoveAll(dir)
	if err := j.writeInputs(dir, &in.Molecule); err != nil {
		return fail(qcschema.ErrorResource, "xtb: %v", err)
	}
	args := j.args()
	stdout, stderr, runErr := run(ctx, path, args, dir, j.opts.nthreads)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("xtb: %w", ctx.Err())
	}
	out := string(stdout)
	if runErr != nil || strings.Contains(out, "abnormal termination") || strings.Contains(string(stderr), "abnormal termination") {
		return nil, runFailure(in, out, string(stderr), runErr)
	}
	return result(in, dir, out, args)
}

// job is what one xtb run needs besides the molecule: the checked model, charge, spin,
// options and embedding charges of an input.
type job struct {
	gfn, charge, uhf int
	gradient         bool
	opts             options
	charges          []qcschema.PointCharge
}

// plan checks in and gathers what its xtb run needs. Every error is an input error whose
// message starts with "xtb:".
func (p *Program) plan(in *qcschema.AtomicInput) (job, error) {
	j := job{gradient: in.Driver == qcschema.DriverGradient}
	var err error
	if j.gfn, err = checkModel(in); err != nil {
		return j, err
	}
	if err := checkAtoms(&in.Molecule); err != nil {
		return j, err
	}
	if j.opts, err = parseKeywords(in.Keywords); err != nil {
		return j, fmt.Errorf("xtb: %v", err)
	}
	if j.opts.nthreads, err = p.threads(in, j.opts.nthreads); err != nil {
		return j, err
	}
	if j.charge, j.uhf, err = spinState(&in.Molecule); err != nil {
		return j, err
	}
	if j.charges, err = qcschema.EmbeddingCharges(in.Molecule.Extras); err != nil {
		return j, fmt.Errorf("xtb: molecule extras: %v", err)
	}
	return j, nil
}

// checkAtoms refuses a molecule without atoms, with a geometry of the wrong length, or with
// ghost atoms.
func checkAtoms(mol *qcschema.Molecule) error {
	n := mol.NAtom()
	if n == 0 || len(mol.Geometry) != 3*n {
		return fmt.Errorf("xtb: molecule has %d symbols and %d coordinates", n, len(mol.Geometry))
	}
	var ghosts []string
	for i := range n {
		if !mol.IsReal(i) {
			ghosts = append(ghosts, strconv.Itoa(i))
		}
	}
	if len(ghosts) > 0 {
		return fmt.Errorf("xtb cannot compute with ghost atoms (real=false at atoms %s): xtb has no basis functions to place on a ghost; counterpoise-corrected many-body plans (bsse_type cp or vmfc) need ghosts, use bsse_type nocp with xtb", strings.Join(ghosts, ", "))
	}
	return nil
}

// threads picks the thread count: the nthreads keyword (given), extras nthreads,
// p.Threads, then 1.
func (p *Program) threads(in *qcschema.AtomicInput, given int) (int, error) {
	if given > 0 {
		return given, nil
	}
	if v, ok := in.Extras["nthreads"]; ok {
		x, ok := number(v)
		if !ok || x < 1 || x != math.Trunc(x) {
			return 0, fmt.Errorf("xtb: extras nthreads = %v: want a positive integer", v)
		}
		return int(x), nil
	}
	return max(p.Threads, 1), nil
}

// spinState returns xtb's --chrg and --uhf (unpaired electrons) for mol, checking that its
// charge and multiplicity are integers its electrons can have.
func spinState(mol *qcschema.Molecule) (charge, uhf int, err error) {
	chrg := mol.MolecularCharge
	if chrg != math.Trunc(chrg) {
		return 0, 0, fmt.Errorf("xtb: molecular charge %v is not an integer", chrg)
	}
	mult := mol.MolecularMultiplicity
	if mult == 0 {
		mult = 1
	}
	if mult < 1 || mult != math.Trunc(mult) {
		return 0, 0, fmt.Errorf("xtb: multiplicity %v is not a positive integer", mult)
	}
	uhf = int(mult) - 1
	electrons := -int(chrg)
	for _, s := range mol.Symbols {
		z, ok := qcschema.ElementZ(s)
		if !ok {
			return 0, 0, fmt.Errorf("xtb: unknown element %s", qcschema.Quote(s))
		}
		electrons += z
	}
	if electrons < 0 || (electrons-uhf)%2 != 0 {
		return 0, 0, fmt.Errorf("xtb: %d electrons cannot have multiplicity %v", electrons, mult)
	}
	return int(chrg), uhf, nil
}

// args are xtb's command-line arguments for j.
func (j *job) args() []string {
	args := []string{"coord", "--gfn", strconv.Itoa(j.gfn), "--chrg", strconv.Itoa(j.charge), "--uhf", strconv.Itoa(j.uhf)}
	if j.gradient {
		args = append(args, "--grad")
	}
	if j.opts.accuracy > 0 {
		args = append(args, "--acc", strconv.FormatFloat(j.opts.accuracy, 'g', -1, 64))
	}
	if j.opts.etemp > 0 {
		args = append(args, "--etemp", strconv.FormatFloat(j.opts.etemp, 'g', -1, 64))
	}
	if j.opts.maxIter > 0 {
		args = append(args, "--iterations", strconv.Itoa(j.opts.maxIter))
	}
	args = append(args, "--norestart", "-P", strconv.Itoa(j.opts.nthreads))
	if len(j.charges) > 0 {
		args = append(args, "-I", "xcontrol")
	}
	return args
}

// writeInputs writes the coord file and, with embedding charges, the point-charge file and
// the xcontrol file that names it, into dir.
func (j *job) writeInputs(dir string, mol *qcschema.Molecule) error {
	if err := os.WriteFile(filepath.Join(dir, "coord"), coordFile(mol), 0o644); err != nil {
		return err
	}
	if len(j.charges) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", len(j.charges))
	for _, c := range j.charges {
		fmt.Fprintf(&b, "%.16g %.16g %.16g %.16g\n", c.Q, c.Pos[0], c.Pos[1], c.Pos[2])
	}
	if err := os.WriteFile(filepath.Join(dir, "pcharge"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "xcontrol"), []byte("$embedding\n   input=pcharge\n$end\n"), 0o644)
}

// run starts xtb at path with args in dir on nthreads OpenMP threads.
func run(ctx context.Context, path string, args []string, dir string, nthreads int) (stdout, stderr []byte, err error) {
	nt := strconv.Itoa(nthreads)
	env := append(os.Environ(), "OMP_NUM_THREADS="+nt, "MKL_NUM_THREADS="+nt, "OMP_MAX_ACTIVE_LEVELS=1")
	if os.Getenv("OMP_STACKSIZE") == "" {
		env = append(env, "OMP_STACKSIZE=1G")
	}
	// xtb keeps large arrays on the stack and crashes (SIGSEGV) on big molecules under the
	// usual 8 MiB limit, so raise the stack limit for it as its documentation advises.
	shArgs := append([]string{"-c", raiseStack, path}, args...)
	return external.Run(ctx, "/bin/sh", shArgs, dir, env)
}

// runFailure is the FailedOperation of an xtb run that exited with an error or reported
// abnormal termination: xtb's own error lines, classified, with its output in extras.
func runFailure(in *qcschema.AtomicInput, stdout, stderr string, runErr error) *qcschema.FailedOperation {
	typ, msg := xtbError(stdout, stderr)
	if runErr != nil && typ == qcschema.ErrorUnknown {
		msg = fmt.Sprintf("(%v) %s", runErr, msg)
	}
	f := qcschema.NewFailedOperation(in, typ, "xtb: "+msg)
	f.Extras = map[string]any{"stdout": stdout, "stderr": stderr}
	if runErr != nil {
		f.Extras["exit"] = runErr.Error()
	}
	return f
}

// result reads the energy (and gradient) of a finished xtb run in dir into an AtomicResult.
func result(in *qcschema.AtomicInput, dir, out string, args []string) (*qcschema.AtomicResult, error) {
	fail := func(err error) (*qcschema.AtomicResult, error) {
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorUnknown, fmt.Sprintf("xtb: %v", err))
	}
	energy, err := parseEnergy(out, filepath.Join(dir, "energy"))
	if err != nil {
		return fail(err)
	}
	res := qcschema.NewAtomicResult(in, qcschema.Provenance{Creator: "xtb", Routine: "xtb " + strings.Join(args, " ")})
	if m := versionRE.FindStringSubmatch(out); m != nil {
		res.Provenance.Version = m[1]
	}
	n := in.Molecule.NAtom()
	res.Properties.CalcinfoNAtom = &n
	res.Properties.ReturnEnergy = &energy
	res.ReturnResult.Scalar = energy
	if in.Driver == qcschema.DriverGradient {
		g, err := parseGradient(filepath.Join(dir, "gradient"), n)
		if err != nil {
			return fail(err)
		}
		res.ReturnResult = qcschema.ReturnResult{Array: g}
		res.Properties.ReturnGradient = g
	}
	if v, ok := in.Protocols["stdout"].(bool); !ok || v {
		res.Stdout = &out
	}
	return res, nil
}

// raiseStack is the shell script that starts xtb ($0, arguments "$@") with the stack limit
// raised to unlimited, or to the hard limit where unlimited is not allowed.
const raiseStack = `ulimit -s unlimited 2>/dev/null || ulimit -s "$(ulimit -H -s)" 2>/dev/null; exec "$0" "$@"`

// coordFile writes mol as a Turbomole coord file (bohr).
func coordFile(mol *qcschema.Molecule) []byte {
	var b strings.Builder
	b.WriteString("$coord\n")
	for i, s := range mol.Symbols {
		fmt.Fprintf(&b, "%24.16f %24.16f %24.16f  %s\n", mol.Geometry[3*i], mol.Geometry[3*i+1], mol.Geometry[3*i+2], strings.ToLower(s))
	}
	b.WriteString("$end\n")
	return []byte(b.String())
}

var totalEnergyRE = regexp.MustCompile(`TOTAL ENERGY\s+(-?\d+\.\d+)\s+Eh`)

// parseEnergy reads the last TOTAL ENERGY line of stdout, else the energy file.
func parseEnergy(stdout, energyFile string) (float64, error) {
	if m := totalEnergyRE.FindAllStringSubmatch(stdout, -1); m != nil {
		return strconv.ParseFloat(m[len(m)-1][1], 64)
	}
	data, err := os.ReadFile(energyFile)
	if err != nil {
		return 0, errors.New("no TOTAL ENERGY in xtb output and no energy file")
	}
	// $energy / cycle  energy  ... / $end
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && !strings.HasPrefix(f[0], "$") {
			return parseFortran(f[1])
		}
	}
	return 0, errors.New("energy file has no energy")
}

// parseGradient reads the last cycle of a Turbomole gradient file: n coordinate lines
// then n gradient lines (hartree/bohr).
func parseGradient(file string, n int) ([]float64, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("no gradient file: %v", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "cycle") {
			start = i + 1
		}
	}
	if start < 0 || start+2*n > len(lines) {
		return nil, fmt.Errorf("gradient file: no complete cycle for %d atoms", n)
	}
	g := make([]float64, 0, 3*n)
	for _, l := range lines[start+n : start+2*n] {
		fs := strings.Fields(l)
		if len(fs) != 3 {
			return nil, fmt.Errorf("gradient file: bad line %q", l)
		}
		for _, s := range fs {
			x, err := parseFortran(s)
			if err != nil {
				return nil, fmt.Errorf("gradient file: %v", err)
			}
			g = append(g, x)
		}
	}
	return g, nil
}

// parseFortran parses a float that may use a Fortran D exponent.
func parseFortran(s string) (float64, error) {
	return strconv.ParseFloat(strings.NewReplacer("D", "E", "d", "e").Replace(s), 64)
}

// xtbError extracts xtb's error lines ("[ERROR] ..." block, or the stderr text before the
// Fortran backtrace) and classifies them.
func xtbError(stdout, stderr string) (string, string) {
	var msg []string
	lines := strings.Split(stdout, "\n")
	for i, l := range lines {
		if strings.Contains(l, "[ERROR]") {
			for _, m := range lines[i+1:] {
				m = strings.TrimSpace(m)
				if m == "" || strings.HasPrefix(m, "####") {
					break
				}
				msg = append(msg, m)
			}
		}
	}
	if len(msg) == 0 {
		s := stderr
		if i := strings.Index(s, "Error termination."); i >= 0 {
			s = s[:i]
		}
		for _, l := range strings.Split(s, "\n") {
			l = strings.TrimRight(l, " ")
			if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "####") || strings.TrimSpace(l) == "ERROR STOP" {
				continue
			}
			msg = append(msg, l)
		}
	}
	text := strings.Join(msg, "\n")
	if text == "" {
		return qcschema.ErrorUnknown, "xtb terminated abnormally: " + tail(stderr+"\n"+stdout, 2000)
	}
	low := strings.ToLower(text)
	switch {
	case strings.Contains(low, "converge"):
		return qcschema.ErrorConvergence, text
	case strings.Contains(low, "unknown element"), strings.Contains(low, "input"), strings.Contains(low, "could not"):
		return qcschema.ErrorInput, text
	}
	return qcschema.ErrorUnknown, text
}

// tail returns at most the last n bytes of s, trimmed.
func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "..." + s[len(s)-n:]
	}
	return s
}
