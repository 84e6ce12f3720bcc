package hf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Version is the version of the embedded program written into provenance.
const Version = "0.1.0"

// Program is the embedded program as a value with the engine.Program
// method set (Compute), engine.GhostChecker (SupportsGhosts) and engine.Finder (Find).
type Program struct{}

// Compute runs one QCSchema single point; see the package Compute.
func (Program) Compute(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	return Compute(ctx, in)
}

// SupportsGhosts reports that ghost atoms are supported.
func (Program) SupportsGhosts() bool { return true }

// Check implements engine.Checker: the method, basis and keywords of in, and that the basis
// set has functions for every element of its molecule, before any work.
func (Program) Check(_ context.Context, in *qcschema.AtomicInput) error {
	atoms, opt, err := fromInput(in)
	if err != nil {
		return err
	}
	b, err := loadBasis(opt.Basis)
	if err != nil {
		return err
	}
	_, err = buildBasis(b, atoms, false)
	return err
}

// Find implements engine.Finder: the embedded program always runs, and its version is
// Version (result stores key results by it).
func (Program) Find(context.Context) (string, error) { return Version, nil }

// Name is the name the embedded program is registered under in the engine registry, and
// the creator its results' provenance names.
const Name = "embedded"

// QCVarsKey is the key of an AtomicResult's extras under which results that QCElemental's
// AtomicResultProperties have no field for are kept by their QCVariable names (flat arrays),
// where Psi4 keeps its QCVariables.
const QCVarsKey = "qcvars"

func init() { engine.Register(Name, Program{}) }

// Keywords accepted by Compute (Psi4 names, case-insensitive).
var acceptedKeywords = []string{"d_convergence", "e_convergence", "freeze_core", "guess", "maxiter", "memory", "mp2_type", "puream", "reference", "scf_type"}

// Compute runs one QCSchema single point (driver energy, gradient or
// hessian; method hf/scf or mp2). Failures of the calculation (bad input,
// SCF not converged) are returned as *qcschema.FailedOperation errors with
// error_type input_error or convergence_error; a cancelled context returns
// the context's error.
//
// Keywords (Psi4 names): scf_type pk|direct|out_of_core|conv (all run the
// same conventional-or-direct algorithm, chosen by size), e_convergence,
// d_convergence, maxiter, reference rhf|uhf, guess sad|core, mp2_type
// conv, puream true|false, freeze_core false. Any other keyword is an
// input_error naming it.
// Molecule extras["embedding_charges"] = [[q, [x, y, z]], ...] (bohr) are
// external point charges.
func Compute(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	if in == nil {
		return nil, qcschema.NewFailedOperation(nil, qcschema.ErrorInput, "hf: nil input")
	}
	atoms, opt, err := fromInput(in)
	if err != nil {
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorInput, err.Error())
	}
	var log bytes.Buffer
	opt.Log = &log
	var res *Result
	switch in.Driver {
	case qcschema.DriverEnergy:
		res, err = Energy(ctx, atoms, opt)
	case qcschema.DriverGradient:
		res, err = Gradient(ctx, atoms, opt)
	case qcschema.DriverHessian:
		res, err = Hessian(ctx, atoms, opt)
	default:
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorInput,
			fmt.Sprintf("hf: driver %s is not supported (energy, gradient, hessian)", qcschema.Quote(in.Driver)))
	}
	if err != nil {
		if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
			return nil, ctx.Err()
		}
		var ce *SCFError
		typ := qcschema.ErrorInput
		if errors.As(err, &ce) && ce.Reason != SCFSingularOverlap {
			typ = qcschema.ErrorConvergence
		}
		return nil, qcschema.NewFailedOperation(in, typ, err.Error())
	}
	return toResult(in, atoms, opt, res, log.String()), nil
}

func fromInput(in *qcschema.AtomicInput) ([]Atom, Options, error) {
	var opt Options
	atoms, err := atomsOf(&in.Molecule)
	if err != nil {
		return nil, opt, err
	}
	mol := &in.Molecule
	q := mol.MolecularCharge
	if q != math.Trunc(q) || math.IsNaN(q) || math.Abs(q) > 1000 {
		return nil, opt, fmt.Errorf("hf: molecular charge %v is not an integer", q)
	}
	m := mol.MolecularMultiplicity
	if m != math.Trunc(m) || math.IsNaN(m) || m < 0 || m > 1000 {
		return nil, opt, fmt.Errorf("hf: molecular multiplicity %v is not a positive integer", m)
	}
	opt = Options{Method: in.Model.Method, Basis: in.Model.Basis, Charge: int(q), Multiplicity: int(m)}
	if _, err := parseMethod(opt.Method); err != nil {
		return nil, opt, err
	}
	if _, err := loadBasis(opt.Basis); err != nil {
		return nil, opt, err
	}
	keys := make([]string, 0, len(in.Keywords))
	for k := range in.Keywords {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := opt.setKeyword(k, in.Keywords[k]); err != nil {
			return nil, opt, err
		}
	}
	if opt.Charges, err = qcschema.EmbeddingCharges(mol.Extras); err != nil {
		return nil, opt, err
	}
	// Executors run many single points at once, one per core; a single point therefore
	// uses one thread unless the input asks for more.
	opt.Threads = 1
	if v, ok := in.Extras["nthreads"]; ok {
		if f, err := toFloat(v); err == nil && f >= 1 {
			opt.Threads = int(f)
		}
	}
	return atoms, opt, nil
}

// atomsOf returns the molecule's centres, ghosts marked.
func atomsOf(mol *qcschema.Molecule) ([]Atom, error) {
	nat := len(mol.Symbols)
	if nat == 0 {
		return nil, errors.New("hf: molecule has no atoms")
	}
	if len(mol.Geometry) != 3*nat {
		return nil, fmt.Errorf("hf: geometry has %d values, want %d (3 per atom)", len(mol.Geometry), 3*nat)
	}
	if mol.Real != nil && len(mol.Real) != nat {
		return nil, fmt.Errorf("hf: molecule real has %d entries, want %d", len(mol.Real), nat)
	}
	atoms := make([]Atom, nat)
	for i, s := range mol.Symbols {
		z := ZOf(s)
		if z == 0 && len(mol.AtomicNumbers) == nat {
			z = mol.AtomicNumbers[i]
		}
		if z == 0 {
			return nil, fmt.Errorf("hf: unknown element symbol %s (atom %d)", qcschema.Quote(s), i)
		}
		atoms[i] = Atom{Z: z, Ghost: !mol.IsReal(i)}
		copy(atoms[i].Pos[:], mol.Geometry[3*i:3*i+3])
	}
	return atoms, nil
}

// setKeyword applies one Psi4-named keyword.
func (opt *Options) setKeyword(k string, v any) error {
	var err error
	switch strings.ToLower(k) {
	case "scf_type":
		if err = wantString(k, v, "pk", "direct", "out_of_core", "conv"); err == nil {
			opt.SCFType = strings.ToLower(fmt.Sprint(v))
		}
	case "mp2_type":
		err = wantString(k, v, "conv")
	case "guess":
		if err = wantString(k, v, "sad", "core", "auto"); err == nil {
			opt.Guess = strings.ToLower(fmt.Sprint(v))
		}
	case "reference":
		if err = wantString(k, v, "rhf", "uhf"); err == nil {
			opt.Reference = strings.ToLower(fmt.Sprint(v))
		}
	case "e_convergence":
		opt.EConvergence, err = wantPositive(k, v)
	case "d_convergence":
		opt.DConvergence, err = wantPositive(k, v)
	case "maxiter":
		var f float64
		f, err = wantInteger(k, v, 1e6)
		opt.MaxIter = int(f)
	case "memory":
		var f float64
		f, err = wantInteger(k, v, 1<<50)
		opt.Memory = int64(f)
	case "puream":
		var b bool
		if b, err = wantBool(k, v); err == nil {
			opt.Puream = &b
		}
	case "freeze_core":
		var b bool
		if b, err = wantBool(k, v); err == nil && b {
			err = fmt.Errorf("hf: keyword %s true is not supported (only false)", k)
		}
	default:
		err = fmt.Errorf("hf: keyword %s is not supported (supported: %s)", qcschema.Quote(k), strings.Join(acceptedKeywords, ", "))
	}
	return err
}

// wantInteger accepts a positive whole number up to limit.
func wantInteger(k string, v any, limit float64) (float64, error) {
	f, err := wantPositive(k, v)
	if err == nil && (f != math.Trunc(f) || f > limit) {
		err = fmt.Errorf("hf: keyword %s: want a positive integer, got %s", k, qcschema.ExcerptValue(v))
	}
	return f, err
}

func wantString(k string, v any, allowed ...string) error {
	s, ok := v.(string)
	if ok {
		for _, a := range allowed {
			if strings.EqualFold(strings.TrimSpace(s), a) {
				return nil
			}
		}
	}
	return fmt.Errorf("hf: keyword %s: value %s is not supported (allowed: %s)", k, qcschema.ExcerptValue(v), strings.Join(allowed, ", "))
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case json.Number:
		return x.Float64()
	case string:
		return strconv.ParseFloat(strings.TrimSpace(x), 64)
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

func wantPositive(k string, v any) (float64, error) {
	f, err := toFloat(v)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("hf: keyword %s: want a positive number, got %s", k, qcschema.ExcerptValue(v))
	}
	return f, nil
}

func wantBool(k string, v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "1", "yes":
			return true, nil
		case "false", "0", "no":
			return false, nil
		}
	case float64:
		if x == 0 || x == 1 {
			return x == 1, nil
		}
	}
	return false, fmt.Errorf("hf: keyword %s: want true or false, got %s", k, qcschema.ExcerptValue(v))
}

func toResult(in *qcschema.AtomicInput, atoms []Atom, opt Options, res *Result, log string) *qcschema.AtomicResult {
	fp := func(v float64) *float64 { return &v }
	ip := func(v int) *int { return &v }
	props := qcschema.AtomicResultProperties{
		CalcinfoNBasis:         ip(res.NBasis),
		CalcinfoNMO:            ip(res.NMO),
		CalcinfoNAlpha:         ip(res.NAlpha),
		CalcinfoNBeta:          ip(res.NBeta),
		CalcinfoNAtom:          ip(len(atoms)),
		NuclearRepulsionEnergy: fp(res.NuclearRepulsion),
		ReturnEnergy:           fp(res.Energy),
		SCFTotalEnergy:         fp(res.SCFEnergy),
		SCFIterations:          ip(res.Iterations),
		ReturnGradient:         res.Gradient,
		ReturnHessian:          res.Hessian,
	}
	m, _ := parseMethod(opt.Method)
	if m == methodMP2 {
		props.MP2SameSpinCorrelationEnergy = fp(res.MP2SameSpin)
		props.MP2OppositeSpinCorrelationEnergy = fp(res.MP2OppositeSpin)
		props.MP2SinglesEnergy = fp(0)
		props.MP2DoublesEnergy = fp(res.MP2Correlation)
		props.MP2CorrelationEnergy = fp(res.MP2Correlation)
		props.MP2TotalEnergy = fp(res.Energy)
	} else {
		props.SCFTotalGradient = res.Gradient
		props.SCFTotalHessian = res.Hessian
	}
	// The creator is the program's name, as QCEngine's programs write theirs.
	out := qcschema.NewAtomicResult(in, qcschema.Provenance{Creator: Name, Version: Version, Routine: "github.com/qcmb-go/qcmb/engine/hf.Compute"})
	out.Properties = props
	if m == methodMP2 {
		// QCElemental has no field for MP2 derivatives (its models refuse unknown
		// properties): they go where Psi4 puts them, among the QCVariables.
		qcvars := map[string]any{}
		if res.Gradient != nil {
			qcvars["MP2 TOTAL GRADIENT"] = res.Gradient
		}
		if res.Hessian != nil {
			qcvars["MP2 TOTAL HESSIAN"] = res.Hessian
		}
		if len(qcvars) > 0 {
			out.Extras[QCVarsKey] = qcvars
		}
	}
	if res.ExternalNuclear != 0 {
		out.Extras["embedding_charges_nuclear_energy"] = res.ExternalNuclear
	}
	if out.Keywords == nil {
		out.Keywords = map[string]any{}
	}
	if out.Protocols == nil {
		out.Protocols = map[string]any{}
	}
	switch in.Driver {
	case qcschema.DriverGradient:
		out.ReturnResult = qcschema.ReturnResult{Array: res.Gradient}
	case qcschema.DriverHessian:
		out.ReturnResult = qcschema.ReturnResult{Array: res.Hessian}
	default:
		out.ReturnResult = qcschema.ReturnResult{Scalar: res.Energy}
	}
	if keepStdout(in.Protocols) {
		out.Stdout = &log
	}
	return out
}

// keepStdout honours protocols {"stdout": false}.
func keepStdout(p map[string]any) bool {
	if v, ok := p["stdout"]; ok {
		if b, ok := v.(bool); ok {
			return b
		}
	}
	return true
}
