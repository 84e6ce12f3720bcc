// Package hf is qcmb's embedded quantum chemistry program: restricted and
// unrestricted Hartree-Fock, conventional MP2, analytic HF and MP2 gradients and
// finite-difference Hessians, written in pure Go.
//
// # Model
//
// Basis sets STO-3G, 3-21G, 6-31G, 6-31G* (also spelled 6-31gs or
// 6-31g(d)) and cc-pVDZ are embedded as Gaussian94 files (basis/*.gbs, as
// the Basis Set Exchange writes them). Names are case-insensitive. Shells
// are cartesian or, with Options.Puream true, spherical harmonic for d and
// f; nil Puream takes the basis file's default as Psi4 does (cartesian for
// the Pople sets, spherical for cc-pVDZ). Primitive and contraction
// normalisation follow Psi4, so energies agree with Psi4: the tests
// reproduce Psi4 1.3 (puream false) and Psi4's cc-pVDZ water (spherical)
// to about 1e-9 Eh. SP shells are kept together. Spherical functions are
// handled as fixed combinations of cartesian ones (the orthogonaliser
// spans only them), so integrals, gradients and MP2 run in the cartesian
// basis throughout.
//
// Integrals use McMurchie-Davidson Hermite expansions with an accurate
// Boys function (tabulated Taylor expansion below T=45, asymptotic form
// above), exploit the eight-fold permutational symmetry, Schwarz screening
// (1e-12) and primitive-pair screening (1e-12). Shell quartets are stored
// when they fit in half of the memory budget (Options.Memory, keyword
// memory in bytes; default DefaultMemory, a quarter of the machine's
// memory up to 1 GiB) unless SCFType (keyword scf_type) is "direct", and
// otherwise recomputed every iteration (direct SCF, with incremental Fock
// builds and density screening). An MP2 gradient whose arrays exceed the
// budget is refused.
//
// The SCF starts from a superposition of atomic densities (Guess "sad",
// from cached fractional-occupation atomic SCFs; "core" selects the core
// Hamiltonian), uses DIIS (8 vectors) and canonical orthogonalisation
// (overlap eigenvalues below 1e-7 dropped). It stops when the energy
// change is below EConvergence (default 1e-10) and the RMS of the orbital
// gradient X^T(FDS-SDF)X is below DConvergence (default 1e-8), or fails
// after MaxIter (default 100) iterations with an *SCFError carrying the
// iteration history. Other numerical failures (a singular overlap matrix,
// as from a ghost atom on top of another centre; a failed
// diagonalisation; a non-finite energy) are *SCFError values too, and a
// panic in a worker goroutine is returned as a *WorkerPanicError. The
// reference is RHF for singlets and UHF otherwise unless Reference says
// "uhf".
//
// MP2 is conventional and all-electron (no frozen core), on RHF or UHF
// references (RMP2 and UMP2); Result carries same-spin and opposite-spin
// parts.
//
// # Ghost atoms and point charges
//
// A ghost Atom carries its basis functions but no nuclear charge and no
// electrons. External PointCharges (bohr) attract the electrons and repel
// the real nuclei; like Psi4's external potential, the charge-nucleus
// energy is part of Energy and SCFEnergy. It is reported separately in
// Result.ExternalNuclear and is not part of Result.NuclearRepulsion, which
// is the nucleus-nucleus repulsion of the real atoms (as Psi4's QCSchema
// nuclear_repulsion_energy). Charge-charge interactions are excluded.
//
// # Derivatives
//
// HF gradients (RHF and UHF) are analytic: derivative overlap, kinetic,
// nuclear-attraction and electron-repulsion integrals from the same
// Hermite machinery, the energy-weighted density and the nuclear-repulsion
// gradient. The two-electron part uses translational invariance (the
// derivative of the fourth centre of a shell quartet is minus the sum of
// the other three; one-centre pairs need no derivative integrals of their
// own), skips structurally zero Hermite coefficients, and reuses the Boys
// function values of the stored-integral pass. Ghost atoms get gradient
// rows from their basis functions; point charges are fixed in space (their
// own gradient is not returned).
//
// MP2 gradients (RMP2 and UMP2) are analytic too: amplitudes, the
// unrelaxed occupied and virtual density blocks, the orbital response
// from the Z-vector (coupled-perturbed Hartree-Fock) equations solved by
// preconditioned conjugate gradients with Fock-like builds from the SCF's
// integrals, the relaxed and energy-weighted densities, and the
// non-separable two-particle density back-transformed to AO function
// pairs, contracted with the same derivative integrals as HF (see
// mp2grad.go for the equations). They agree with Psi4's to about 1e-10
// hartree/bohr. Hessians are central differences of analytic gradients
// with step HessianStep (0.005 bohr), symmetrised. Displaced calculations
// start from the reference density and use SCF thresholds of at least
// 1e-11 / 1e-9. The context is checked between SCF and Z-vector
// iterations and between displacements.
//
// # Layout
//
// The files follow the textbook pipeline (psi4numpy's and PySCF's RHF):
// basis.go and system.go (molecule, basis set, shell pairs); onee.go
// (one-electron integrals); hermite.go, boys.go and eri.go (two-electron
// integrals), eristore.go (the stored or direct unique quartets); jk.go
// (Coulomb and exchange builds); orbitals.go, diis.go, guess.go and
// scf.go (the SCF loop); mp2.go (MP2 energy); grad.go, grad1e.go and
// grad2e.go (HF gradients); mp2grad.go and zvector.go (MP2 gradients);
// api.go and program.go (the Go and QCSchema entry points). matrix.go
// holds the small matrix type whose products go through gonum's BLAS.
//
// # Parallelism
//
// Integral work is spread over Options.Threads goroutines (default
// GOMAXPROCS). Work is cut into a fixed number of pieces whose results are
// added in a fixed order, so results are bitwise identical whatever the
// thread count.
//
// # QCSchema
//
// Compute (and the Program type, which has the engine.Program method set)
// runs a qcschema.AtomicInput: methods hf/scf and mp2, drivers energy,
// gradient and hessian, Psi4-named keywords scf_type, e_convergence,
// d_convergence, maxiter, memory (bytes), reference, mp2_type conv, puream,
// freeze_core false, guess, and molecule extras["embedding_charges"]. It
// registers itself in the engine registry as "embedded". A QCSchema single
// point runs on one thread (executors already run one calculation per core)
// unless the input's extras["nthreads"] asks for more.
package hf
