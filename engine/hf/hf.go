package hf

import (
	"github.com/qcmb-go/qcmb/qcschema"

	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// Atom is one centre. Ghost centres carry basis functions only.
type Atom struct {
	Z     int
	Pos   [3]float64 // bohr
	Ghost bool
}

// PointCharge is an external point charge (atomic units, position in bohr).
type PointCharge = qcschema.PointCharge

// Options selects the model chemistry and the SCF settings.
type Options struct {
	Method       string // "hf" (or "scf") or "mp2"
	Basis        string // sto-3g, 3-21g, 6-31g, 6-31g* (6-31gs), cc-pvdz; case-insensitive
	Reference    string // "rhf", "uhf" or "" (auto: rhf for singlets, uhf otherwise)
	Charge       int
	Multiplicity int // 0 means lowest possible (1 or 2)
	// EConvergence and DConvergence are the SCF energy-change and RMS
	// orbital-gradient thresholds; zero means 1e-10 and 1e-8.
	EConvergence, DConvergence float64
	MaxIter                    int // zero means 100
	Charges                    []PointCharge
	Log                        io.Writer // readable log, may be nil
	// Puream selects spherical harmonic (true) or cartesian (false) d and f
	// functions. Nil means the basis set's default, as in Psi4 (the first
	// line of its file: cartesian for the Pople sets, spherical for cc-pVDZ).
	Puream *bool
	// Guess is the SCF starting point: "sad" (superposition of atomic
	// densities, the default) or "core" (core Hamiltonian).
	Guess string
	// Threads bounds the goroutines used for integrals; zero means
	// runtime.GOMAXPROCS(0). Results do not depend on it.
	Threads int
	// SCFType "direct" recomputes the two-electron integrals every
	// iteration; "" (or "pk", "conv", "out_of_core") stores them when they
	// fit in half of Memory, as Psi4's keyword scf_type.
	SCFType string
	// Memory is the budget in bytes for the large arrays (stored
	// integrals, MP2 intermediates); above it integrals are recomputed
	// (direct SCF) and MP2 works in batches of occupied orbitals. Zero
	// means DefaultMemory().
	Memory int64
}

// Result holds the outcome of a calculation. Energies in hartree.
type Result struct {
	Energy           float64 // total energy of the requested method
	SCFEnergy        float64 // HF total energy
	NuclearRepulsion float64 // nucleus-nucleus repulsion of the real atoms only
	// ExternalNuclear is the interaction of the external point charges with
	// the real nuclei; it is included in Energy and SCFEnergy (as Psi4 adds
	// it to its nuclear repulsion term) but not in NuclearRepulsion.
	ExternalNuclear float64

	MP2Correlation, MP2SameSpin, MP2OppositeSpin float64
	// MP2 singles contribution is zero for RHF/UHF references.

	Iterations, NBasis, NMO, NAlpha, NBeta int
	Gradient                               []float64 // flat natom*3, nil unless asked
	Hessian                                []float64 // flat (3n)^2, nil unless asked
}

// UnknownBasisError reports a basis set name that is not embedded.
type UnknownBasisError struct{ Basis string }

func (e *UnknownBasisError) Error() string {
	return fmt.Sprintf("hf: unknown basis set %s (available: %s)", qcschema.Quote(e.Basis), strings.Join(BasisSets(), ", "))
}

// UnsupportedElementError reports an element missing from a basis set.
type UnsupportedElementError struct {
	Element string
	Z       int
	Basis   string
	Reason  string
}

func (e *UnsupportedElementError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("hf: element %s in basis %s: %s", e.Element, e.Basis, e.Reason)
	}
	return fmt.Sprintf("hf: element %s (Z=%d) is not available in basis set %s", e.Element, e.Z, e.Basis)
}

// UnknownMethodError reports an unsupported method name.
type UnknownMethodError struct{ Method string }

func (e *UnknownMethodError) Error() string {
	return fmt.Sprintf("hf: unknown method %s (supported: hf, scf, mp2)", qcschema.Quote(e.Method))
}

// SCFIteration is one line of the SCF history.
type SCFIteration struct {
	Iteration       int
	Energy          float64 // total energy
	DeltaE          float64 // change from the previous iteration
	OrbitalGradient float64 // RMS of X^T(FDS-SDF)X, the DIIS error
}

// SCFFailure says why an SCF stopped.
type SCFFailure string

// The ways an SCF fails.
const (
	SCFNotConverged     SCFFailure = "did not converge"
	SCFNonFinite        SCFFailure = "produced a non-finite energy"
	SCFSingularOverlap  SCFFailure = "has a singular overlap matrix (linearly dependent basis functions)"
	SCFEigenFailure     SCFFailure = "could not diagonalise a matrix"
	ZVectorNotConverged SCFFailure = "Z-vector (CPHF) equations did not converge"
)

// SCFError is a numerical failure of the SCF (or of the orbital response
// equations of an MP2 gradient). History holds every iteration done so
// far (empty when the failure came before the first iteration).
type SCFError struct {
	Reason  SCFFailure
	Detail  string // extra facts, e.g. the smallest overlap eigenvalue
	History []SCFIteration
}

// Last returns the last iteration, or the zero value without history.
func (e *SCFError) Last() SCFIteration {
	if len(e.History) == 0 {
		return SCFIteration{}
	}
	return e.History[len(e.History)-1]
}

func (e *SCFError) Error() string {
	msg := "hf: SCF " + string(e.Reason)
	if e.Reason == ZVectorNotConverged {
		msg = "hf: MP2 gradient: " + string(e.Reason)
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	if n := len(e.History); n > 0 {
		l := e.History[n-1]
		msg += fmt.Sprintf(" after %d iterations: E = %.12f, dE = %.3e, RMS orbital gradient = %.3e",
			l.Iteration, l.Energy, l.DeltaE, l.OrbitalGradient)
	}
	return msg
}

// ErrInvalidInput is wrapped by errors about malformed molecules or options
// (charge/multiplicity mismatch, non-finite coordinates, no electrons, ...).
var ErrInvalidInput = errors.New("hf: invalid input")

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidInput, fmt.Sprintf(format, a...))
}

type method int

const (
	methodHF method = iota
	methodMP2
)

func parseMethod(m string) (method, error) {
	switch strings.ToLower(strings.TrimSpace(m)) {
	case "hf", "scf", "rhf", "uhf":
		return methodHF, nil
	case "mp2", "conv-mp2":
		return methodMP2, nil
	}
	return 0, &UnknownMethodError{Method: m}
}

// settings is the validated form of Options.
type settings struct {
	method       method
	uhf          bool
	nalpha       int
	nbeta        int
	econv, dconv float64
	maxiter      int
	threads      int
	pure         bool
	guess        string
	memory       int64 // bytes
	direct       bool  // never store the integrals
	basis        *gbsBasis
	log          io.Writer
}

func (s *settings) logf(format string, a ...any) {
	if s.log != nil {
		fmt.Fprintf(s.log, format, a...)
	}
}

func validate(atoms []Atom, opt Options) (*settings, *gbsBasis, error) {
	m, err := parseMethod(opt.Method)
	if err != nil {
		return nil, nil, err
	}
	b, err := loadBasis(opt.Basis)
	if err != nil {
		return nil, nil, err
	}
	nel, err := electrons(atoms, opt.Charge, b)
	if err != nil {
		return nil, nil, err
	}
	if err := validateNumbers(atoms, opt); err != nil {
		return nil, nil, err
	}
	s := &settings{method: m, econv: opt.EConvergence, dconv: opt.DConvergence, maxiter: opt.MaxIter,
		threads: opt.Threads, log: opt.Log, basis: b, pure: b.spherical, memory: opt.Memory}
	if err := s.setSpin(nel, opt); err != nil {
		return nil, nil, err
	}
	switch t := strings.ToLower(strings.TrimSpace(opt.SCFType)); t {
	case "", "pk", "conv", "out_of_core":
	case "direct":
		s.direct = true
	default:
		return nil, nil, invalid("unknown scf_type %s (pk, direct)", qcschema.Quote(opt.SCFType))
	}
	switch g := strings.ToLower(strings.TrimSpace(opt.Guess)); g {
	case "", "sad", "auto":
		s.guess = "sad"
	case "core":
		s.guess = "core"
	default:
		return nil, nil, invalid("unknown guess %s (sad, core)", qcschema.Quote(opt.Guess))
	}
	if opt.Puream != nil {
		s.pure = *opt.Puream
	}
	s.setDefaults()
	if n := b.elementsNBF(atoms); n > maxNBF {
		return nil, nil, invalid("%d basis functions exceed the limit of %d of this program", n, maxNBF)
	}
	return s, b, nil
}

// electrons checks the atoms against the basis set and returns the
// number of electrons of the molecule with the given charge.
func electrons(atoms []Atom, charge int, b *gbsBasis) (int, error) {
	if len(atoms) == 0 {
		return 0, invalid("no atoms")
	}
	nel := -charge
	for i, a := range atoms {
		if a.Z <= 0 || a.Z >= len(elementSymbols) {
			return 0, &UnsupportedElementError{Element: symbolOf(a.Z), Z: a.Z, Basis: b.name, Reason: fmt.Sprintf("atom %d has invalid atomic number %d", i, a.Z)}
		}
		if _, ok := b.elements[a.Z]; !ok {
			return 0, &UnsupportedElementError{Element: symbolOf(a.Z), Z: a.Z, Basis: b.name}
		}
		if !a.Ghost {
			nel += a.Z
		}
	}
	return nel, nil
}

// validateNumbers rejects non-finite coordinates, charges and thresholds,
// point charges on nuclei and coincident nuclei.
func validateNumbers(atoms []Atom, opt Options) error {
	for i, a := range atoms {
		if !finiteVec(a.Pos[:]) {
			return invalid("atom %d has a non-finite coordinate", i)
		}
	}
	if !finiteVec([]float64{opt.EConvergence, opt.DConvergence}) {
		return invalid("convergence thresholds must be finite")
	}
	for i, c := range opt.Charges {
		if !finiteVec([]float64{c.Q}) {
			return invalid("point charge %d is not finite", i)
		}
		if !finiteVec(c.Pos[:]) {
			return invalid("point charge %d has a non-finite coordinate", i)
		}
	}
	for i, c := range opt.Charges {
		for j, a := range atoms {
			if !a.Ghost && dist(a.Pos, c.Pos) < 1e-6 {
				return invalid("point charge %d sits on atom %d", i, j)
			}
		}
	}
	// Coincident nuclei repel infinitely; a ghost on another centre is
	// left to the SCF, which refuses a singular basis.
	for i := range atoms {
		for j := 0; j < i; j++ {
			if !atoms[i].Ghost && !atoms[j].Ghost && dist(atoms[i].Pos, atoms[j].Pos) < 1e-6 {
				return invalid("atoms %d and %d coincide", j, i)
			}
		}
	}
	return nil
}

// setSpin sets the electron counts per spin and the reference from nel
// electrons and the options' multiplicity and reference.
func (s *settings) setSpin(nel int, opt Options) error {
	if nel < 0 {
		return invalid("charge %d leaves a negative number of electrons", opt.Charge)
	}
	mult := opt.Multiplicity
	if mult == 0 {
		mult = 1 + nel%2
	}
	if mult < 1 {
		return invalid("multiplicity %d must be positive", mult)
	}
	unp := mult - 1
	if (nel-unp)%2 != 0 || unp > nel {
		return invalid("%d electrons (charge %d) are incompatible with multiplicity %d", nel, opt.Charge, mult)
	}
	if nel == 0 {
		return invalid("no electrons")
	}
	s.nalpha, s.nbeta = (nel+unp)/2, (nel-unp)/2
	switch strings.ToLower(strings.TrimSpace(opt.Reference)) {
	case "", "auto":
		s.uhf = mult != 1
	case "rhf":
		if mult != 1 {
			return invalid("reference rhf requires a singlet, got multiplicity %d", mult)
		}
	case "uhf":
		s.uhf = true
	default:
		return invalid("unknown reference %s (rhf, uhf)", qcschema.Quote(opt.Reference))
	}
	return nil
}

// setDefaults fills the thresholds, iteration limit and memory left zero.
func (s *settings) setDefaults() {
	if s.econv <= 0 {
		s.econv = 1e-10
	}
	if s.dconv <= 0 {
		s.dconv = 1e-8
	}
	if s.maxiter <= 0 {
		s.maxiter = 100
	}
	if s.memory <= 0 {
		s.memory = DefaultMemory()
	}
}

// maxNBF bounds the problem size the embedded program accepts.
const maxNBF = 2000

func (b *gbsBasis) elementsNBF(atoms []Atom) int {
	n := 0
	for _, a := range atoms {
		for _, g := range b.elements[a.Z] {
			for l := g.lmin; l <= g.lmax; l++ {
				n += (l + 1) * (l + 2) / 2
			}
		}
	}
	return n
}

func dist(a, b [3]float64) float64 {
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return math.Sqrt(dx*dx + dy*dy + dz*dz)
}
