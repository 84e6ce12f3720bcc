// Package engine defines Program, the one interface every quantum chemistry program in
// qcmb satisfies (an AtomicInput in, an AtomicResult out), and a registry of programs by
// name in the spirit of database/sql's drivers: the embedded Hartree-Fock program and the
// external ones (psi4, xtb, qcengine) register themselves, and callers look them up by
// the name a model chemistry's specification gives.
package engine
