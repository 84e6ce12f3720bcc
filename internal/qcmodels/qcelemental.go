package qcmodels

import (
	"fmt"
	"math"
	"strconv"
)

// QCElemental's models that QCManyBody's build on, v1 (qcelemental.models, QCElemental
// 0.25 to 0.29: pydantic v1 models in results.py, molecule.py, common_models.py) and v2
// (qcelemental.models.v2, the next2025 branch QCManyBody 0.7 requires: atomic.py,
// molecule.py). Field names, required fields, literals, enums, extra policies and the
// validators that can refuse a document; validators that only reshape are left out, and
// so is the physics QCElemental's molecule parser checks (charge and multiplicity
// consistency, fragments), which the Python check in CI covers for v1.

func provenance() *Model {
	return &Model{Name: "Provenance", Fields: []Field{
		req("creator", str), opt("version", str), opt("routine", str),
	}, Extra: allowAll}
}

func model() *Model {
	return &Model{Name: "Model", Fields: []Field{
		req("method", str), opt("basis", optional{union{str, anyDict}}),
	}, Extra: allowAll}
}

func computeError() *Model {
	return &Model{Name: "ComputeError", Fields: []Field{
		req("error_type", str), req("error_message", str), opt("extras", optional{anyDict}),
	}}
}

var driverEnum = literal{"energy", "gradient", "hessian", "properties"}

func identifiers() *Model {
	fields := []Field{}
	for _, n := range []string{"molecule_hash", "molecular_formula", "smiles", "inchi", "inchikey",
		"canonical_explicit_hydrogen_smiles", "canonical_isomeric_explicit_hydrogen_mapped_smiles",
		"canonical_isomeric_explicit_hydrogen_smiles", "canonical_isomeric_smiles", "canonical_smiles",
		"pubchem_cid", "pubchem_sid", "pubchem_conformerid"} {
		fields = append(fields, opt(n, optional{str}))
	}
	return &Model{Name: "Identifiers", Fields: fields}
}

// molecule is QCElemental's Molecule: version 1 (schema_version any integer, 2 by default)
// or 2 (schema_version 3).
func molecule(version int) *Model {
	schemaVersion := integer
	if version == 2 {
		schemaVersion = literal{3}
	}
	return &Model{Name: fmt.Sprintf("Molecule (v%d)", version), Fields: []Field{
		opt("schema_name", literal{"qcschema_molecule"}),
		opt("schema_version", schemaVersion),
		opt("validated", boolean),
		req("symbols", listOf{str}),
		req("geometry", floats),
		opt("name", optional{str}),
		opt("identifiers", optional{identifiers()}),
		opt("comment", optional{str}),
		opt("molecular_charge", number),
		opt("molecular_multiplicity", number),
		opt("masses", optional{floats}),
		opt("real", optional{listOf{boolean}}),
		opt("atom_labels", optional{listOf{str}}),
		opt("atomic_numbers", optional{ints}),
		opt("mass_numbers", optional{ints}),
		opt("connectivity", optional{listOf{bond{}}}),
		opt("fragments", optional{listOf{ints}}),
		opt("fragment_charges", optional{listOf{number}}),
		opt("fragment_multiplicities", optional{listOf{number}}),
		opt("fix_com", boolean),
		opt("fix_orientation", boolean),
		opt("fix_symmetry", optional{str}),
		opt("provenance", provenance()),
		opt("id", anyV),
		opt("extras", optional{anyDict}),
	}, Post: checkMolecule}
}

// bond is a connectivity entry: (atom, atom, bond order 0 to 5).
type bond struct{}

func (bond) check(v any, path string, errs *errList) {
	a, ok := v.([]any)
	if !ok || len(a) != 3 {
		errs.add(path, "want [atom, atom, order], got %s", kind(v))
		return
	}
	for i := range 2 {
		if n, ok := asInt(a[i]); !ok || n < 0 {
			errs.add(fmt.Sprintf("%s[%d]", path, i), "want a non-negative integer, got %s", kind(a[i]))
		}
	}
	number.check(a[2], path+"[2]", errs)
}

// checkMolecule is the molecule's validators: geometry of shape (nat, 3), masses and
// real of nat entries, fragment charges and multiplicities one per fragment, and
// multiplicities at least 1.
func checkMolecule(obj map[string]any, path string, errs *errList) {
	symbols, _ := obj["symbols"].([]any)
	n := len(symbols)
	if g, err := numbers(obj, "geometry"); err == nil && len(g) != 3*n {
		errs.add(join(path, "geometry"), "Geometry must be castable to shape (N,3)! (%d values for %d atoms)", len(g), n)
	}
	for _, name := range []string{"masses", "real"} {
		if a, ok := obj[name].([]any); ok && len(a) != n && !(name == "real" && len(a) == 0) {
			errs.add(join(path, name), "Masses and Real must be same number of entries as Symbols")
		}
	}
	frags, haveFrags := obj["fragments"].([]any)
	for _, name := range []string{"fragment_charges", "fragment_multiplicities"} {
		a, ok := obj[name].([]any)
		if !ok {
			continue
		}
		if haveFrags && len(a) != len(frags) {
			errs.add(join(path, name), "must have one entry per fragment (%d for %d)", len(a), len(frags))
		}
		if name == "fragment_multiplicities" {
			for i, m := range a {
				if f := toFloat(m); f < 1 {
					errs.add(fmt.Sprintf("%s[%d]", join(path, name), i), "Fragment Multiplicity must be positive")
				}
			}
		}
	}
	if m, ok := obj["molecular_multiplicity"]; ok && toFloat(m) < 1 {
		errs.add(join(path, "molecular_multiplicity"), "Molecular Multiplicity must be positive")
	}
}

func toFloat(v any) float64 {
	f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

func errorCorrection() *Model {
	return &Model{Name: "ErrorCorrectionProtocol", Fields: []Field{
		opt("default_policy", boolean), opt("policies", optional{dictOf{val: boolean}}),
	}}
}

// atomicProtocols is AtomicResultProtocols (v1) or AtomicProtocols (v2, with a schema name).
func atomicProtocols(version int) *Model {
	m := &Model{Name: "AtomicResultProtocols", Fields: []Field{
		opt("wavefunction", literal{"all", "orbitals_and_eigenvalues", "occupations_and_eigenvalues", "return_results", "none"}),
		opt("stdout", boolean),
		opt("error_correction", errorCorrection()),
		opt("native_files", literal{"all", "input", "none"}),
	}}
	if version == 2 {
		m.Name = "AtomicProtocols"
		m.Fields = append([]Field{opt("schema_name", literal{"qcschema_atomic_protocols"})}, m.Fields...)
	}
	return m
}

// AtomicPropertyNames are the fields of QCElemental's AtomicResultProperties (v1, 0.25 to
// 0.29) and AtomicProperties (v2), which are the same but v2's schema_name.
var AtomicPropertyNames = []string{
	"calcinfo_nbasis", "calcinfo_nmo", "calcinfo_nalpha", "calcinfo_nbeta", "calcinfo_natom",
	"nuclear_repulsion_energy", "return_energy", "return_gradient", "return_hessian",
	"scf_one_electron_energy", "scf_two_electron_energy", "scf_vv10_energy", "scf_xc_energy",
	"scf_dispersion_correction_energy", "scf_dipole_moment", "scf_quadrupole_moment",
	"scf_total_energy", "scf_total_gradient", "scf_total_hessian", "scf_iterations",
	"mp2_same_spin_correlation_energy", "mp2_opposite_spin_correlation_energy", "mp2_singles_energy",
	"mp2_doubles_energy", "mp2_correlation_energy", "mp2_total_energy", "mp2_dipole_moment",
	"ccsd_same_spin_correlation_energy", "ccsd_opposite_spin_correlation_energy", "ccsd_singles_energy",
	"ccsd_doubles_energy", "ccsd_correlation_energy", "ccsd_total_energy", "ccsd_dipole_moment",
	"ccsd_iterations", "ccsd_prt_pr_correlation_energy", "ccsd_prt_pr_total_energy",
	"ccsd_prt_pr_dipole_moment", "ccsdt_correlation_energy", "ccsdt_total_energy",
	"ccsdt_dipole_moment", "ccsdt_iterations", "ccsdtq_correlation_energy", "ccsdtq_total_energy",
	"ccsdtq_dipole_moment", "ccsdtq_iterations",
}

// atomicProperties is AtomicResultProperties (v1) or AtomicProperties (v2): every field
// optional, extra fields forbidden, and the derivative validator: a gradient or Hessian
// needs calcinfo_natom and the shape (natom, 3) or (3 natom, 3 natom); multipoles have
// 3 and 9 values.
func atomicProperties(version int) *Model {
	var fields []Field
	if version == 2 {
		fields = append(fields, opt("schema_name", literal{"qcschema_atomic_properties"}))
	}
	for _, n := range AtomicPropertyNames {
		var t Type
		switch {
		case len(n) > 9 && n[:9] == "calcinfo_", n == "scf_iterations", n == "ccsd_iterations", n == "ccsdt_iterations", n == "ccsdtq_iterations":
			t = integer
		case hasSuffix(n, "_gradient"), hasSuffix(n, "_hessian"), hasSuffix(n, "_moment"):
			t = floats
		default:
			t = number
		}
		fields = append(fields, opt(n, optional{t}))
	}
	name := "AtomicResultProperties"
	if version == 2 {
		name = "AtomicProperties"
	}
	return &Model{Name: name, Fields: fields, Post: checkDerivatives}
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

func checkDerivatives(obj map[string]any, path string, errs *errList) {
	for _, name := range []string{"scf_dipole_moment", "mp2_dipole_moment", "ccsd_dipole_moment", "ccsd_prt_pr_dipole_moment", "scf_quadrupole_moment"} {
		want := 3
		if hasSuffix(name, "quadrupole_moment") {
			want = 9
		}
		if a, err := numbers(obj, name); err == nil && len(a) != want {
			errs.add(join(path, name), "cannot be reshaped to %d values (%d)", want, len(a))
		}
	}
	for _, name := range []string{"return_gradient", "return_hessian", "scf_total_gradient", "scf_total_hessian"} {
		a, err := numbers(obj, name)
		if err != nil {
			continue
		}
		nat, ok := asInt(obj["calcinfo_natom"])
		if !ok {
			errs.add(join(path, name), "Please also set ``calcinfo_natom``!")
			continue
		}
		want := 3 * nat
		if hasSuffix(name, "_hessian") {
			want = 9 * nat * nat
		}
		if int64(len(a)) != want {
			errs.add(join(path, name), "Derivative must be castable to shape for calcinfo_natom %d (%d values, want %d)", nat, len(a), want)
		}
	}
}

// returnResult is return_result: Union[float, Array[float], Dict[str, Any]], a gradient
// with a multiple of 3 values and a Hessian square.
func checkReturnResult(obj map[string]any, driver any, path string, errs *errList) {
	r, ok := obj["return_result"]
	if !ok {
		return
	}
	a, err := flatten(r, false)
	if err != nil {
		return // a scalar or a dictionary, checked by the field's type
	}
	switch driver {
	case "gradient":
		if len(a)%3 != 0 {
			errs.add(join(path, "return_result"), "a gradient of %d values cannot be reshaped to (-1, 3)", len(a))
		}
	case "hessian":
		if n := int(math.Sqrt(float64(len(a)))); n*n != len(a) {
			errs.add(join(path, "return_result"), "a Hessian of %d values is not square", len(a))
		}
	}
}

var returnResultType = union{number, floats, anyDict}

// AtomicResultV1 is QCElemental's v1 AtomicResult (schema_name "qcschema_output").
func AtomicResultV1() *Model {
	return &Model{Name: "AtomicResult (v1)", Fields: []Field{
		opt("id", optional{str}),
		opt("schema_name", literal{"qcschema_output", "qcschema_input"}),
		opt("schema_version", integer),
		req("molecule", molecule(1)),
		req("driver", driverEnum),
		req("model", model()),
		opt("keywords", anyDict),
		opt("protocols", atomicProtocols(1)),
		opt("extras", anyDict),
		req("provenance", provenance()),
		req("properties", atomicProperties(1)),
		opt("wavefunction", optional{anyDict}),
		req("return_result", returnResultType),
		opt("stdout", optional{str}),
		opt("stderr", optional{str}),
		opt("native_files", anyDict),
		req("success", boolean),
		opt("error", optional{computeError()}),
	}, Post: func(obj map[string]any, path string, errs *errList) {
		checkReturnResult(obj, obj["driver"], path, errs)
	}}
}

// FailedOperationV1 is QCElemental's v1 FailedOperation.
func FailedOperationV1() *Model {
	return &Model{Name: "FailedOperation (v1)", Fields: []Field{
		opt("id", optional{str}),
		opt("input_data", anyV),
		opt("success", literal{false}),
		req("error", computeError()),
		opt("extras", optional{anyDict}),
	}}
}

// atomicSpecificationV2 is QCElemental's v2 AtomicSpecification.
func atomicSpecificationV2() *Model {
	return &Model{Name: "AtomicSpecification (v2)", Fields: []Field{
		opt("schema_name", literal{"qcschema_atomic_specification"}),
		opt("keywords", anyDict),
		opt("program", str),
		req("driver", driverEnum),
		req("model", model()),
		opt("protocols", atomicProtocols(2)),
		opt("extras", anyDict),
	}}
}

func atomicInputV2() *Model {
	return &Model{Name: "AtomicInput (v2)", Fields: []Field{
		opt("id", optional{str}),
		opt("schema_name", literal{"qcschema_atomic_input"}),
		opt("schema_version", literal{2}),
		req("molecule", molecule(2)),
		req("specification", atomicSpecificationV2()),
		opt("provenance", provenance()),
	}}
}

// AtomicResultV2 is QCElemental's v2 AtomicResult (schema_name "qcschema_atomic_result").
func AtomicResultV2() *Model {
	return &Model{Name: "AtomicResult (v2)", Fields: []Field{
		opt("schema_name", literal{"qcschema_atomic_result"}),
		opt("schema_version", literal{2}),
		opt("id", optional{str}),
		req("input_data", atomicInputV2()),
		req("molecule", molecule(2)),
		req("properties", atomicProperties(2)),
		opt("wavefunction", optional{anyDict}),
		req("return_result", returnResultType),
		opt("stdout", optional{str}),
		opt("stderr", optional{str}),
		opt("native_files", anyDict),
		opt("success", literal{true}),
		req("provenance", provenance()),
		opt("extras", anyDict),
	}, Post: func(obj map[string]any, path string, errs *errList) {
		var driver any
		if in, ok := obj["input_data"].(map[string]any); ok {
			if spec, ok := in["specification"].(map[string]any); ok {
				driver = spec["driver"]
			}
		}
		checkReturnResult(obj, driver, path, errs)
	}}
}
