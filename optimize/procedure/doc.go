// Package procedure runs QCSchema geometry optimizations: it reads an OptimizationInput,
// computes each gradient by a single point (AtomicSpecification) or a many-body expansion
// (ManyBodySpecification) on one executor that stays the same for every step, drives
// package optimize with the input's keywords, and writes the OptimizationResult with the
// trajectory its protocol asks for. Run takes QCSchema v2 inputs; RunV1 takes v1 ones
// (QCElemental's OptimizationInput and QCManyBody's GeneralizedOptimizationInput) and
// writes v1 results. An optimization that does not finish returns an *Error whose partial
// result has success false and an error record (a convergence_error when it did not
// converge) beside every gradient computed.
package procedure
