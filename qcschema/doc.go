// Package qcschema holds the QCSchema data types that qcmb reads and writes: molecules,
// single-point inputs and results (AtomicInput, AtomicResult, FailedOperation) and the
// many-body input and result documents of QCManyBody's v1 models and, as ManyBodyInputV2,
// ManyBodyResultV2 and their parts, of its QCSchema v2 models (ManyBodyVersion tells the
// two apart, DecodeManyBodyInput reads either; ManyBodyInputV2.ToV1 and
// ManyBodyResult.ToV2 convert). ManyBodyResultProperties.QCVariables gives the many-body
// properties under Psi4's QCVariable names.
//
// Inputs decode strictly, as the Python models (extra="forbid") do: an unknown member is an
// *UnknownFieldError naming its JSON path and the closest known name, a key given twice a
// *DuplicateFieldError, another document's schema_name or schema_version a
// *ValidationError; all match ErrInvalid.
//
// The JSON field names and schema_name values are those QCElemental and QCManyBody write,
// so documents move between qcmb and the Python ecosystem unchanged. Units are bohr and
// hartree throughout; arrays such as gradients and Hessians are flat in row-major order
// (nested arrays are accepted on input). Encoding fills an empty schema_name and
// schema_version with the type's default and writes nil keywords/protocols/extras maps as
// {}, as the Python models require; unset ManyBodyKeywords options are written as null.
// AtomicInput also decodes the QCSchema v2 layout (driver, model and keywords nested in
// "specification"). AtomicResultProperties keeps properties it has no field for in Other.
//
// Results are written fast, since a many-body result carries the properties of thousands of
// fragment calculations: AtomicResultProperties.AppendJSON encodes without reflection, and
// ManyBodyResult.WriteJSON streams the component properties in batches encoded on every
// core, byte for byte what MarshalJSON writes. An IndentWriter lays JSON out for people
// (two spaces per level, number arrays on one line); WriteJSON encodes the component
// properties straight into that layout, so the bulk of a result is written in one pass.
//
// Molecules come from JSON, from ParseXYZ (XYZ files, ångström) or from ParsePsi4
// (psi4-style strings with "--" between fragments). Molecule.Validate checks a molecule
// and returns a *ValidationError naming the bad field (errors.As; errors.Is(err,
// ErrInvalid)); Molecule.Normalize also fills atomic numbers, masses, mass numbers,
// real flags, the default fragment and the charges and multiplicities, which
// ReconcileChargeMult completes with QCElemental's rules in time (near-)linear in the
// number of fragments. Coordinates in ångström are converted with the CODATA 2014 Bohr
// radius QCElemental uses (AngstromPerBohr); element data (ElementZ, ElementSymbol,
// ElementMass, ElementMassNumber) are QCElemental's, most abundant isotope, H to Og.
package qcschema
