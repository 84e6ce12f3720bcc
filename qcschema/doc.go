// Package qcschema holds the QCSchema data types that qcmb reads and writes: molecules,
// single-point inputs and results (AtomicInput, AtomicResult, FailedOperation) and the
// many-body input and result documents of QCManyBody's v1 models.
//
// The JSON field names and schema_name values are those QCElemental and QCManyBody write,
// so documents move between qcmb and the Python ecosystem unchanged. Units are bohr and
// hartree throughout; arrays such as gradients and Hessians are flat in row-major order.
package qcschema
