// Package xtb runs the xtb semiempirical program (Grimme's extended tight binding) on
// QCSchema AtomicInputs through its command line. Importing the package registers a
// default *Program as "xtb" with package engine.
//
// Each task runs in a private directory under Program.Scratch (removed afterwards): the
// molecule is written as a Turbomole coord file (bohr, so coordinates pass exactly), and
//
//	xtb coord --gfn N --chrg C --uhf U [--grad] --norestart -P T [-I xcontrol]
//
// runs in it. The energy is read from xtb's "TOTAL ENERGY" line (12 decimals; the energy file
// as a fallback) and the gradient from the Turbomole-format gradient file.
//
// # Model
//
// Methods: "gfn2-xtb" (also "gfn2", and the default for an empty method) and "gfn1-xtb"
// ("gfn1"). The basis must be empty: xtb's minimal basis is part of the method. Unpaired
// electrons are multiplicity - 1; the charge must be an integer and the parity of the
// electron count must agree with the multiplicity.
//
// Keywords (all optional): "accuracy" (--acc), "electronic_temperature" (--etemp, K),
// "max_iterations" (--iterations), "nthreads" (threads, as input extras["nthreads"] or
// Program.Threads). Any other keyword is an input_error, so that a typo is not silently
// ignored.
//
// # Drivers
//
// energy and gradient. The hessian and properties drivers are refused with an input_error.
//
// # Ghost atoms
//
// xtb has no way to place basis functions without a nucleus, so ghost atoms
// (Molecule.Real false) cannot be run: Compute returns an input_error, and Program
// implements engine.GhostChecker with SupportsGhosts false (also exported as the package
// function SupportsGhosts) so that a many-body planner can refuse counterpoise (cp, vmfc)
// plans for xtb before running anything and suggest nocp.
//
// # Embedding charges
//
// Point charges in molecule extras["embedding_charges"] = [[q, [x, y, z]], ...] (bohr) are
// passed to xtb's own electrostatic embedding ($embedding in an xcontrol file, charges in a
// "pcharge" file, no fifth column). Note that xtb couples point charges to its shell
// partial charges through its damped (Klopman-Ohno type) Coulomb kernel with a default
// chemical hardness (xtb's dummy atom type, nitrogen) instead of a bare 1/r; this is xtb's
// embedding model, not the bare point-charge potential that Psi4 uses. Energies and
// gradients are consistent with each other.
//
// Failures of xtb come back as *qcschema.FailedOperation errors with xtb's error lines as
// message; a missing xtb executable as "unavailable_error". A cancelled context kills the
// process group and returns the context's error.
package xtb
