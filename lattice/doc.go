// Package lattice computes the lattice energy of a molecular crystal from a CIF file by
// the many-body expansion, as CrystaLattE (Borca, Bakr, Burns and Sherrill, J. Chem. Phys.
// 151, 144103 (2019); github.com/carlosborca/CrystaLattE) does:
//
//	E_lat = Σ over symmetry-unique n-mers of replicas × ΔE_n / n
//
// where an n-mer is the reference molecule with n-1 neighbours, ΔE_n its non-additive
// n-body interaction energy, and replicas the number of n-mers of the reference molecule
// that are copies of it.
//
// # Input
//
// An Input holds CrystaLattE's keywords under their own names. ReadInput reads a .cle
// keyword file unchanged (ParseCLE) or the JSON form of the same keywords (ParseJSON),
// which also takes the program and its keywords.
//
// # Enumeration
//
// Enumerate (or Load, which reads the CIF) reproduces CrystaLattE's enumeration step for
// step, with the same floating-point operations where the outcome depends on them: the
// supercell of unit cells folded into a rectangular box and written to (and read back
// from) 12 decimals, duplicate positions dropped, molecules found by covalent
// connectivity (Psi4's radii, 1.2 times their sum), the monomers within r_cut_monomer of
// the centre numbered by distance, and the n-mers of monomer 0 within the n-mer cutoff
// (closest atoms) and r_cut_com (centres of mass), with replicas found by nuclear
// repulsion energy (1e-8 hartree) and chemical-space eigenvalues (1e-8) or by
// superposition (the Dreamaligner filter, 1e-3 Å). Lengths are converted with CODATA 2014's
// bohr (0.52917721067 Å), as CrystaLattE and QCElemental do. The same n-mers, replicas,
// nuclear repulsion energies and priorities come out; where CrystaLattE's numbering of
// monomers depends on numpy's unstable sort of equal distances, this package's may differ.
//
// # Energies
//
// NewPlan builds the many-body expansion of every unique n-mer (a computer.Prepared: its
// non-additive n-body energy with the BSSE treatment of psi4_bsse, through the interaction
// energies through n and n-1 bodies, as CrystaLattE takes them from Psi4) and merges their
// fragment calculations: one that several n-mers share, or that is a rotated and
// translated copy of another (superposed to 1e-8 bohr), runs once, and its energy serves
// all of them. Plan.Run checks the program, runs the distinct calculations with a
// computer.Computer (any executor, the result store, statistics, progress) and assembles
// the Result: the rows of CrystaLattE's table, the lattice energy and the number of
// calculations, written by Result.WriteTable and as JSON by Result.MarshalJSON. The
// program is the embedded one when it can compute the method (ChooseProgram), else Psi4
// with CrystaLattE's options (ProgramKeywords).
//
// CrystaLattE reads a cell length such as 11.938(1) as 11.9381 Å (it deletes the
// parentheses and keeps the digit inside), where CIF means 11.938 Å. Package cif reads
// 11.938; Enumerate reads the cell as CrystaLattE does by default, so that the n-mers,
// nuclear repulsion energies and lattice energies are CrystaLattE's, notes each cell
// parameter this changes in Crystal.Warnings, and reads it as CIF means with
// Input.CellUncertainty CellCIF (the JSON form's "cell_uncertainty": "cif", the
// command's --cell-uncertainty cif).
package lattice
