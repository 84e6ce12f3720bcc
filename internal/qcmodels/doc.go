// Package qcmodels checks JSON documents against the pydantic models of QCElemental and
// QCManyBody, transcribed field by field: required fields, literal schema names and
// versions, enumerations, forbidden extra fields, and the validators that can refuse a
// document (calcinfo_natom with every gradient and Hessian of atomic properties and the
// shapes it implies, the names of many-body properties beyond the fields, molecule array
// lengths). QCManyBody cannot be installed where qcmb is built and tested, so its models
// are checked here; the tests of qcmb's commands and packages run their results through
// these checks, and CI runs the atomic results through QCElemental itself as well.
package qcmodels
