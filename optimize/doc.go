// Package optimize finds minimum-energy geometries from any source of energies and
// gradients: a single point, a many-body expansion, or an analytic function.
//
// The method is the one optking and geomeTRIC use by default: a quasi-Newton
// rational-function-optimization (RFO) step on a BFGS-updated Hessian inside a trust
// radius that grows or shrinks with the ratio of the actual to the predicted energy change
// (x3 above 0.75 when the radius limited the step, /4 below 0.25, as optking). A step that raises the energy is rejected:
// the optimizer returns to the previous point with a smaller trust radius.
//
// Coordinates are Cartesian, with the six (five for a linear molecule) rigid translations
// and rotations projected out of the gradient, the Hessian and every step, so the cluster
// neither drifts nor spins. Cartesian steps suit weakly bound clusters: they need no
// connectivity between fragments, so no internal coordinate breaks down when a hydrogen
// bond stretches or bends to linear. What usually makes Cartesian optimizers slow, the
// unit initial Hessian, is replaced by Lindh's model Hessian (Lindh, Bernhardsson,
// Karlström and Malmqvist, Chem. Phys. Lett. 241, 423 (1995)): force constants for every
// pair, bend and torsion of atoms, damped by exp(alpha (r_ref^2 - r^2)), so covalent bonds
// are stiff and the soft intermolecular modes (hydrogen-bond stretches, bends and
// torsions) get small but nonzero curvature from the first step.
//
// Steps move every fragment (Molecule.Fragments) as a rigid body along the rotational
// part of its step, by a finite rotation, plus its deformation; the BFGS update and the
// Hessian are carried into the rotated frames of the fragments, so the quasi-Newton model
// sees the turn of a water molecule as one straight coordinate, much as the
// translation-rotation-internal coordinates of geomeTRIC do. This cut the gradients for
// the water dimer at HF/STO-3G from QCManyBody's starting geometry from 54 to 17; from the
// S22 geometry it needs 6 (gau) and 9 (gau_tight) gradients where Psi4 1.3.2's optking
// needs 11 and 17, and 10 for QCManyBody's (HF)3 trimer where optking needs 11.
//
// Convergence is tested as optking tests it, with its named sets (gau, gau_loose,
// gau_tight, gau_verytight, nwchem_loose, interfrag_tight, qchem, molpro, turbomole,
// cfour) and its rules for which criteria must hold (see Criteria). Forces and
// displacements are Cartesian, in hartree/bohr and bohr. The final geometry is the last one
// whose gradient was computed: the step that would follow it is what the displacement
// criteria measure, as in optking.
package optimize
