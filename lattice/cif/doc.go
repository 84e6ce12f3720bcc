// Package cif reads the parts of a Crystallographic Information File (CIF 1.1) that a
// molecular crystal is built from: the cell lengths and angles, the symmetry operations
// (as x,y,z strings from a _symmetry_equiv_pos_as_xyz or _space_group_symop_operation_xyz
// loop) and the atom sites with their fractional coordinates.
//
// The reader is small and strict. It tokenizes the whole file by the CIF 1.1 rules
// (comments, data blocks, loop_, quoted strings, semicolon text fields) and takes the
// first data block, as CrystaLattE does. Numbers may carry a standard uncertainty in
// parentheses ("5.1305(3)" is 5.1305). Anything it cannot read is an *Error that names
// the file line, such as
//
//	cif: line 41: _cell_length_b: "5.1x" is not a number
//
// No maintained Go CIF reader exists (github.com/BurntSushi/cif is a 2014 snapshot
// without modules), and the few items a lattice energy needs do not justify more.
package cif
