// Package procedure runs QCSchema v2 geometry optimizations: it reads an
// OptimizationInput, computes each gradient by a single point (AtomicSpecification) or a
// many-body expansion (ManyBodySpecification) on one executor that stays the same for
// every step, drives package optimize with the input's keywords, and writes the
// OptimizationResult with the trajectory its protocol asks for.
package procedure
