package qcmodels

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// QCManyBody's models (QCManyBody 0.7: qcmanybody/models/v1/manybody_input_pydv1.py,
// manybody_output_pydv1.py, generalized_optimization.py and models/v2/many_body.py), field
// by field.

// maxNBody is QCManyBody's MAX_NBODY default (environment QCMANYBODY_MAX_NBODY, 5): the
// many-body properties through 4 bodies are fields, those beyond are extra fields whose
// names must fit propertyName.
const maxNBody = 5

var propertyName = regexp.MustCompile(`^(?:cp|nocp|vmfc)_corrected_((?:total|interaction)_(?:energy|gradient|hessian)` +
	`(?:_through_\d+_body)?|\d+_body_contribution_to_(?:energy|gradient|hessian))$`)

// manyBodyProperties is ManyBodyResultProperties (v1) or ManyBodyProperties (v2).
func manyBodyProperties(version int) *Model {
	var fields []Field
	if version == 1 {
		fields = append(fields, opt("schema_name", literal{"qcschema_manybodyproperties"}), opt("schema_version", literal{1}))
	} else {
		fields = append(fields, opt("schema_name", literal{"qcschema_many_body_properties"}))
	}
	for _, n := range []string{"calcinfo_nmc", "calcinfo_nfr", "calcinfo_natom", "calcinfo_nmbe"} {
		fields = append(fields, opt(n, optional{integer}))
	}
	fields = append(fields, opt("nuclear_repulsion_energy", optional{number}), opt("return_energy", optional{number}),
		opt("return_gradient", optional{floats}), opt("return_hessian", optional{floats}))
	for _, egh := range []string{"energy", "gradient", "hessian"} {
		t := Type(number)
		if egh != "energy" {
			t = floats
		}
		for _, bsse := range []string{"cp", "nocp", "vmfc"} {
			for nb := 1; nb < maxNBody; nb++ {
				fields = append(fields, opt(fmt.Sprintf("%s_corrected_total_%s_through_%d_body", bsse, egh, nb), optional{t}))
			}
			fields = append(fields, opt(fmt.Sprintf("%s_corrected_total_%s", bsse, egh), optional{t}))
			for nb := 1; nb < maxNBody; nb++ {
				fields = append(fields, opt(fmt.Sprintf("%s_corrected_interaction_%s_through_%d_body", bsse, egh, nb), optional{t}))
			}
			fields = append(fields, opt(fmt.Sprintf("%s_corrected_interaction_%s", bsse, egh), optional{t}))
			for nb := 2; nb < maxNBody; nb++ {
				fields = append(fields, opt(fmt.Sprintf("%s_corrected_%d_body_contribution_to_%s", bsse, nb, egh), optional{t}))
			}
		}
	}
	name := "ManyBodyResultProperties"
	if version == 2 {
		name = "ManyBodyProperties"
	}
	// extra="allow", filtered by _validate_arb_max_nbody_fieldnames ("Field names not allowed").
	return &Model{Name: name, Fields: fields, Extra: propertyName.MatchString}
}

var bsseNames = map[string]bool{"nocp": true, "cp": true, "vmfc": true, "ssfc": true, "mbe": true, "none": true}

// bsseList is bsse_type after its pre-validator: a string or a list of strings, each one a
// name of BsseEnum in any case.
type bsseList struct{}

func (bsseList) check(v any, path string, errs *errList) {
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	for i, x := range items {
		s, ok := x.(string)
		if !ok || !bsseNames[strings.ToLower(s)] {
			errs.add(fmt.Sprintf("%s[%d]", path, i), "want one of nocp, cp, vmfc (or ssfc, mbe, none), got %s", kind(x))
		}
	}
}

func intKey(k string) bool {
	_, err := strconv.Atoi(strings.TrimSpace(k))
	return err == nil
}

func manyBodyKeywords(version int) *Model {
	fields := []Field{opt("schema_name", literal{"qcschema_manybodykeywords"}), opt("schema_version", literal{1})}
	if version == 2 {
		fields = []Field{opt("schema_name", literal{"qcschema_many_body_keywords"})}
	}
	fields = append(fields,
		opt("bsse_type", bsseList{}),
		opt("embedding_charges", optional{dictOf{key: intKey, val: listOf{number}}}),
		opt("return_total_data", optional{boolean}),
		opt("levels", optional{dictOf{key: func(k string) bool { return intKey(k) || k == "supersystem" }, val: str}}),
		opt("max_nbody", optional{integer}),
		opt("supersystem_ie_only", optional{boolean}),
	)
	return &Model{Name: fmt.Sprintf("ManyBodyKeywords (v%d)", version), Fields: fields}
}

func manyBodyProtocols(version int) *Model {
	if version == 1 {
		return &Model{Name: "ManyBodyProtocols (v1)", Fields: []Field{opt("component_results", literal{"all", "none"})}}
	}
	return &Model{Name: "ManyBodyProtocols (v2)", Fields: []Field{
		opt("schema_name", literal{"qcschema_many_body_protocols"}), opt("cluster_results", literal{"all", "none"}),
	}}
}

// atomicSpecificationV1 is QCManyBody's v1 AtomicSpecification.
func atomicSpecificationV1() *Model {
	return &Model{Name: "AtomicSpecification (v1)", Fields: []Field{
		opt("keywords", anyDict),
		req("program", str),
		opt("schema_name", literal{"qcschema_atomicspecification"}),
		opt("schema_version", literal{1}),
		req("driver", driverEnum),
		req("model", model()),
		opt("protocols", atomicProtocols(1)),
		opt("extras", anyDict),
	}}
}

// singleSpecification is set_specification: one AtomicSpecification (a dictionary with a
// model) is the model chemistry "(auto)".
func singleSpecification(obj map[string]any) map[string]any {
	spec, ok := obj["specification"].(map[string]any)
	if !ok {
		return obj
	}
	if _, single := spec["model"]; !single {
		return obj
	}
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		out[k] = v
	}
	out["specification"] = map[string]any{"(auto)": spec}
	return out
}

func manyBodySpecification(version int) *Model {
	if version == 1 {
		return &Model{Name: "ManyBodySpecification (v1)", Pre: singleSpecification, Fields: []Field{
			opt("schema_name", literal{"qcschema_manybodyspecification"}),
			opt("schema_version", literal{1}),
			req("keywords", manyBodyKeywords(1)),
			opt("protocols", manyBodyProtocols(1)),
			req("driver", driverEnum),
			req("specification", dictOf{val: atomicSpecificationV1()}),
			opt("extras", anyDict),
		}}
	}
	return &Model{Name: "ManyBodySpecification (v2)", Pre: singleSpecification, Fields: []Field{
		opt("schema_name", literal{"qcschema_many_body_specification"}),
		req("keywords", manyBodyKeywords(2)),
		opt("program", str),
		opt("protocols", manyBodyProtocols(2)),
		req("driver", driverEnum),
		req("specification", dictOf{val: atomicSpecificationV2()}),
		opt("extras", anyDict),
	}}
}

// ManyBodyInputV1 is QCManyBody's v1 ManyBodyInput (it has no id).
func ManyBodyInputV1() *Model {
	return &Model{Name: "ManyBodyInput (v1)", Fields: []Field{
		opt("schema_name", literal{"qcschema_manybodyinput"}),
		opt("schema_version", literal{1}),
		req("specification", manyBodySpecification(1)),
		req("molecule", molecule(1)),
		opt("extras", anyDict),
	}}
}

// ManyBodyInputV2 is QCManyBody's v2 ManyBodyInput (it has no extras).
func ManyBodyInputV2() *Model {
	return &Model{Name: "ManyBodyInput (v2)", Fields: []Field{
		opt("schema_name", literal{"qcschema_many_body_input"}),
		opt("schema_version", literal{2}),
		opt("provenance", provenance()),
		opt("id", optional{str}),
		req("specification", manyBodySpecification(2)),
		req("molecule", molecule(2)),
	}}
}

// ManyBodyResultV1 is QCManyBody's v1 ManyBodyResult.
func ManyBodyResultV1() *Model {
	return &Model{Name: "ManyBodyResult (v1)", Fields: []Field{
		opt("schema_name", literal{"qcschema_manybodyresult"}),
		opt("schema_version", literal{1}),
		opt("id", optional{str}),
		opt("extras", anyDict),
		req("provenance", provenance()),
		req("input_data", ManyBodyInputV1()),
		req("success", boolean),
		req("properties", manyBodyProperties(1)),
		req("component_properties", dictOf{val: atomicProperties(1)}),
		opt("component_results", dictOf{val: AtomicResultV1()}),
		req("return_result", returnResultType),
		opt("stdout", optional{str}),
		opt("stderr", optional{str}),
	}}
}

// ManyBodyResultV2 is QCManyBody's v2 ManyBodyResult.
func ManyBodyResultV2() *Model {
	return &Model{Name: "ManyBodyResult (v2)", Fields: []Field{
		opt("schema_name", literal{"qcschema_many_body_result"}),
		opt("schema_version", literal{2}),
		opt("id", optional{str}),
		opt("extras", anyDict),
		req("provenance", provenance()),
		req("input_data", ManyBodyInputV2()),
		opt("success", literal{true}),
		opt("native_files", anyDict),
		req("molecule", molecule(2)),
		req("properties", manyBodyProperties(2)),
		req("cluster_properties", dictOf{val: atomicProperties(2)}),
		req("cluster_results", dictOf{val: AtomicResultV2()}),
		req("return_result", returnResultType),
		opt("stdout", optional{str}),
		opt("stderr", optional{str}),
	}}
}

// qcInputSpecification is QCElemental's v1 QCInputSpecification, the gradient
// specification of a v1 optimization.
func qcInputSpecification() *Model {
	return &Model{Name: "QCInputSpecification", Fields: []Field{
		opt("schema_name", literal{"qcschema_input"}),
		opt("schema_version", integer),
		opt("driver", driverEnum),
		req("model", model()),
		opt("keywords", anyDict),
		opt("extras", anyDict),
	}}
}

func optimizationProtocolsV1() *Model {
	return &Model{Name: "OptimizationProtocols (v1)", Fields: []Field{
		opt("trajectory", literal{"all", "initial_and_final", "final", "none"}),
	}}
}

// optimizationV1 is QCElemental's v1 OptimizationResult, or with generalized QCManyBody's
// GeneralizedOptimizationResult, whose gradient specification and trajectory entries may be
// many-body ones (told apart by schema_name).
func optimizationV1(generalized bool) *Model {
	name, schema := "OptimizationResult (v1)", literal{"qcschema_optimization_output"}
	var spec, step Type = qcInputSpecification(), AtomicResultV1()
	if generalized {
		name, schema = "GeneralizedOptimizationResult (v1)", literal{"qcschema_generalizedoptimizationresult"}
		spec = bySchemaName{"qcschema_input": qcInputSpecification(), "qcschema_manybodyspecification": manyBodySpecification(1)}
		step = bySchemaName{"qcschema_output": AtomicResultV1(), "qcschema_manybodyresult": ManyBodyResultV1()}
	}
	return &Model{Name: name, Fields: []Field{
		opt("id", optional{str}),
		opt("hash_index", optional{str}),
		opt("schema_name", schema),
		opt("schema_version", integer),
		opt("keywords", anyDict),
		opt("extras", anyDict),
		opt("protocols", optimizationProtocolsV1()),
		req("input_specification", spec),
		req("initial_molecule", molecule(1)),
		req("provenance", provenance()),
		req("final_molecule", optional{molecule(1)}),
		req("trajectory", listOf{step}),
		req("energies", listOf{number}),
		opt("stdout", optional{str}),
		opt("stderr", optional{str}),
		req("success", boolean),
		opt("error", optional{computeError()}),
	}}
}

// OptimizationResultV1 is QCElemental's v1 OptimizationResult.
func OptimizationResultV1() *Model { return optimizationV1(false) }

// GeneralizedOptimizationResultV1 is QCManyBody's v1 GeneralizedOptimizationResult.
func GeneralizedOptimizationResultV1() *Model { return optimizationV1(true) }
