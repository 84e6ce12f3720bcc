package hf

import (
	"context"
	"math"
)

// directRebuild is how often (iterations) a direct SCF rebuilds J and K
// from the full density instead of the density change.
const directRebuild = 8

// scfState is a converged (or last) SCF solution.
type scfState struct {
	uhf        bool
	nmo        int
	na, nb     int
	C          [2][]float64 // nbf x nmo, row-major, per spin (beta = alpha for RHF)
	eps        [2][]float64
	D          [2][]float64 // per-spin densities
	H          []float64
	energy     float64 // total SCF energy
	iterations int
}

// runSCF performs the RHF or UHF iterations. guess, if non-nil, provides
// starting spin densities (e.g. from a neighbouring geometry).
func (sys *system) runSCF(ctx context.Context, set *settings, guess *[2][]float64) (*scfState, *eriStore, error) {
	c, err := sys.newSCF(ctx, set)
	if err != nil {
		return nil, nil, err
	}
	if err := c.startDensities(guess); err != nil {
		return nil, nil, err
	}
	dd := &diis{max: 8, ws: sys.ws}
	set.logf("  %4s %22s %12s %12s\n", "iter", "energy", "dE", "rms grad")
	for iter := 1; iter <= set.maxiter; iter++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if err := c.buildFock(iter); err != nil {
			return nil, nil, err
		}
		it := c.record(iter, c.energy(), c.orbitalGradient())
		if math.IsNaN(it.Energy) || math.IsInf(it.Energy, 0) || math.IsNaN(it.OrbitalGradient) {
			return nil, nil, &SCFError{Reason: SCFNonFinite, History: c.history}
		}
		if iter > 1 && math.Abs(it.DeltaE) < set.econv && it.OrbitalGradient < set.dconv {
			st, err := c.finalState(it)
			return st, c.store, err
		}
		dd.push(c.F, c.errv)
		if iter > 1 {
			dd.extrapolate(c.F)
		}
		for s := 0; s < c.nspin; s++ {
			if err := c.diagonalize(c.F[s], c.C[s], c.eps[s], c.D[s], s); err != nil {
				return nil, nil, err
			}
		}
	}
	return nil, nil, &SCFError{Reason: SCFNotConverged, History: c.history}
}

// scf holds the matrices of one SCF calculation between iterations
// (n x n row-major AO matrices, per spin where sliced).
type scf struct {
	sys         *system
	set         *settings
	n, m, nspin int
	nocc        [2]int
	S, H, X     []float64 // overlap, core Hamiltonian, orthogonaliser (n x m)
	store       *eriStore
	jk          *jkBuilder
	inc         *incrementalJK // direct SCF only
	D, F, K     [][]float64
	J, dt       []float64
	C, eps      [2][]float64
	diag        fockDiag
	fd, fds, g  []float64 // orbital-gradient scratch
	gx, errv    []float64
	history     []SCFIteration
}

// newSCF computes the one-electron matrices, the orthogonaliser and the
// two-electron integral store, and allocates the iteration matrices.
func (sys *system) newSCF(ctx context.Context, set *settings) (*scf, error) {
	n := sys.bs.nbf
	S, T, V := oneElectron(sys.ws, sys.bs, sys.charges)
	H := make([]float64, n*n)
	for i := range H {
		H[i] = T[i] + V[i]
	}
	X, m, err := sys.orthogonalizer(S)
	if err != nil {
		return nil, err
	}
	set.logf("  basis functions: %d, orthonormal MOs: %d\n", n, m)
	if set.nalpha > m || set.nbeta > m {
		return nil, invalid("%d occupied orbitals exceed the %d molecular orbitals", set.nalpha, m)
	}
	store, err := sys.buildERIStore(ctx, set.maxStoredValues())
	if err != nil {
		return nil, err
	}
	if store.direct {
		set.logf("  integrals: direct, %d unique shell quartets after Schwarz screening\n", len(store.quartets))
	} else {
		set.logf("  integrals: stored, %d unique shell quartets, %d values\n", len(store.quartets), len(store.values))
	}
	c := &scf{sys: sys, set: set, n: n, m: m, nspin: 1, nocc: [2]int{set.nalpha, set.nbeta}, S: S, H: H, X: X, store: store}
	if set.uhf {
		c.nspin = 2
	}
	ws := sys.ws
	for s := 0; s < c.nspin; s++ {
		c.D = append(c.D, ws.floats(n*n))
		c.F = append(c.F, ws.floats(n*n))
		c.K = append(c.K, ws.floats(n*n))
		c.C[s], c.eps[s] = ws.floats(n*m), ws.floats(m)
	}
	c.J, c.dt = ws.floats(n*n), ws.floats(n*n)
	c.fd, c.fds, c.g, c.gx = ws.floats(n*n), ws.floats(n*n), ws.floats(n*n), ws.floats(n*m)
	c.errv = ws.floats(c.nspin * m * m)
	c.diag = fockDiag{ws: ws}
	c.jk = newJKBuilder(sys, store, c.nspin)
	if store.direct {
		c.inc = newIncrementalJK(ws, n, c.nspin)
	}
	return c, nil
}

// startDensities sets the starting spin densities: the given guess, the
// superposition of atomic densities or the core Hamiltonian's orbitals.
func (c *scf) startDensities(guess *[2][]float64) error {
	if guess != nil {
		for s := 0; s < c.nspin; s++ {
			copy(c.D[s], guess[s])
		}
		return nil
	}
	var sad []float64
	if c.set.guess == "sad" {
		sad = c.sys.sadDensity(c.set.basis)
	}
	if sad == nil {
		c.set.logf("  guess: core Hamiltonian\n")
		for s := 0; s < c.nspin; s++ {
			if err := c.diagonalize(c.H, c.C[s], c.eps[s], c.D[s], s); err != nil {
				return err
			}
		}
		return nil
	}
	c.set.logf("  guess: superposition of atomic densities\n")
	for s := 0; s < c.nspin; s++ {
		for i, v := range sad {
			c.D[s][i] = 0.5 * v
		}
	}
	return nil
}

// diagonalize sets the orbitals C, energies eps and density D of spin s
// from the Fock matrix F.
func (c *scf) diagonalize(F, C, eps, D []float64, s int) error {
	if err := c.diag.solve(F, c.X, c.n, c.m, C, eps); err != nil {
		err.(*SCFError).History = c.history
		return err
	}
	density(C, c.n, c.m, c.nocc[s], D)
	return nil
}

// buildFock sets the total density, J, K and the Fock matrices.
func (c *scf) buildFock(iter int) error {
	for i := range c.dt {
		if c.nspin == 1 {
			c.dt[i] = 2 * c.D[0][i]
		} else {
			c.dt[i] = c.D[0][i] + c.D[1][i]
		}
	}
	var err error
	if c.inc != nil {
		err = c.inc.build(c.jk, iter, c.dt, c.D, c.J, c.K)
	} else {
		err = c.jk.build(c.dt, c.D, c.J, c.K)
	}
	if err != nil {
		return err
	}
	for s := 0; s < c.nspin; s++ {
		for i := range c.F[s] {
			c.F[s][i] = c.H[i] + c.J[i] - c.K[s][i]
		}
	}
	return nil
}

// energy returns the SCF total energy of the current densities.
func (c *scf) energy() float64 {
	e := 0.0
	H, D, F := c.H, c.D, c.F
	if c.nspin == 1 {
		for i := range H {
			e += D[0][i] * (H[i] + F[0][i])
		}
	} else {
		for i := range H {
			e += 0.5 * (c.dt[i]*H[i] + D[0][i]*F[0][i] + D[1][i]*F[1][i])
		}
	}
	return e + c.sys.enuc + c.sys.eext
}

// orbitalGradient sets c.errv to the orbital gradients X^T (F D S - S D F) X
// of every spin, concatenated (the DIIS error), and returns their RMS.
func (c *scf) orbitalGradient() float64 {
	n, m := c.n, c.m
	S, X := asMatrix(c.S, n, n), asMatrix(c.X, n, m)
	fd, fds, gx := asMatrix(c.fd, n, n), asMatrix(c.fds, n, n), asMatrix(c.gx, n, m)
	for s := 0; s < c.nspin; s++ {
		gemm(1, asIs(asMatrix(c.F[s], n, n)), asIs(asMatrix(c.D[s], n, n)), 0, fd)
		gemm(1, asIs(fd), asIs(S), 0, fds)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				c.g[i*n+j] = c.fds[i*n+j] - c.fds[j*n+i]
			}
		}
		gemm(1, asIs(asMatrix(c.g, n, n)), asIs(X), 0, gx)
		gemm(1, tr(X), asIs(gx), 0, asMatrix(c.errv[s*m*m:], m, m))
	}
	ss := 0.0
	for _, v := range c.errv {
		ss += v * v
	}
	return math.Sqrt(ss / float64(len(c.errv)))
}

// record logs an iteration and adds it to the history.
func (c *scf) record(iter int, e, drms float64) SCFIteration {
	dE := e
	if iter > 1 {
		dE = e - c.history[len(c.history)-1].Energy
	}
	c.set.logf("  %4d %22.12f %12.4e %12.4e\n", iter, e, dE, drms)
	it := SCFIteration{Iteration: iter, Energy: e, DeltaE: dE, OrbitalGradient: drms}
	c.history = append(c.history, it)
	return it
}

// finalState diagonalises the converged Fock matrices once more so that
// orbitals and energies are canonical (as MP2 and W need) and returns
// them in fresh memory (not the workspace's).
func (c *scf) finalState(it SCFIteration) (*scfState, error) {
	n, m := c.n, c.m
	st := &scfState{uhf: c.set.uhf, nmo: m, na: c.set.nalpha, nb: c.set.nbeta, H: c.H, energy: it.Energy, iterations: it.Iteration}
	for s := 0; s < c.nspin; s++ {
		C, eps, D := make([]float64, n*m), make([]float64, m), make([]float64, n*n)
		if err := c.diagonalize(c.F[s], C, eps, D, s); err != nil {
			return nil, err
		}
		st.C[s], st.eps[s], st.D[s] = C, eps, D
		if c.nspin == 1 {
			st.C[1], st.eps[1], st.D[1] = C, eps, D
		}
	}
	return st, nil
}

// incrementalJK forms J and K of a direct SCF from the density change
// since the previous iteration, and from the full density every
// directRebuild iterations.
type incrementalJK struct {
	dtPrev, ddt, dJ []float64
	dPrev, dD, dK   [][]float64
}

func newIncrementalJK(ws *workspace, n, nspin int) *incrementalJK {
	b := &incrementalJK{dtPrev: ws.floats(n * n), ddt: ws.floats(n * n), dJ: ws.floats(n * n)}
	for range nspin {
		b.dPrev = append(b.dPrev, ws.floats(n*n))
		b.dD = append(b.dD, ws.floats(n*n))
		b.dK = append(b.dK, ws.floats(n*n))
	}
	return b
}

func (b *incrementalJK) build(jk *jkBuilder, iter int, dt []float64, D [][]float64, J []float64, K [][]float64) error {
	full := iter == 1 || (iter-1)%directRebuild == 0
	if full {
		if err := jk.build(dt, D, J, K); err != nil {
			return err
		}
	} else {
		for i := range dt {
			b.ddt[i] = dt[i] - b.dtPrev[i]
		}
		for s := range D {
			for i := range D[s] {
				b.dD[s][i] = D[s][i] - b.dPrev[s][i]
			}
		}
		if err := jk.build(b.ddt, b.dD, b.dJ, b.dK); err != nil {
			return err
		}
		for i := range J {
			J[i] += b.dJ[i]
		}
		for s := range K {
			for i := range K[s] {
				K[s][i] += b.dK[s][i]
			}
		}
	}
	copy(b.dtPrev, dt)
	for s := range D {
		copy(b.dPrev[s], D[s])
	}
	return nil
}
