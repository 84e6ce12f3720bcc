package qcschema_test

import (
	"encoding/json"
	"fmt"

	"github.com/qcmb-go/qcmb/qcschema"
)

// A QCSchema v2 many-body input, with its specification given as one
// AtomicSpecification (the model chemistry "(auto)"), and the v1 input qcmb runs.
func ExampleManyBodyInputV2() {
	doc := `{
	  "schema_name": "qcschema_many_body_input", "schema_version": 2,
	  "specification": {
	    "driver": "energy",
	    "keywords": {"bsse_type": ["cp", "nocp"], "max_nbody": 2},
	    "protocols": {"cluster_results": "all"},
	    "specification": {"program": "embedded", "driver": "energy", "model": {"method": "hf", "basis": "sto-3g"}}
	  },
	  "molecule": {"symbols": ["He", "He"], "geometry": [0, 0, 0, 0, 0, 5.6], "fragments": [[0], [1]]}
	}`
	var in qcschema.ManyBodyInputV2
	if err := json.Unmarshal([]byte(doc), &in); err != nil {
		fmt.Println(err)
		return
	}
	v1 := in.ToV1()
	fmt.Println(v1.SchemaName, v1.Specification.Specification["(auto)"].Model.Method, v1.Specification.Protocols.ComponentResults)
	// Output: qcschema_manybodyinput hf all
}

// An unknown field is an error that names it and suggests the known one.
func ExampleUnknownFieldError() {
	doc := `{"specification": {"driver": "energy", "keywords": {"bsse_typo": "cp"},
	  "specification": {"program": "embedded", "driver": "energy", "model": {"method": "hf"}}},
	  "molecule": {"symbols": ["He"], "geometry": [0, 0, 0]}}`
	var in qcschema.ManyBodyInput
	err := json.Unmarshal([]byte(doc), &in)
	fmt.Println(err)
	// Output: qcschema: specification.keywords.bsse_typo: unknown field (did you mean "bsse_type"?)
}

func ExampleQCVariableName() {
	for _, p := range []string{"cp_corrected_total_energy_through_2_body", "vmfc_corrected_2_body_contribution_to_gradient", "return_energy"} {
		fmt.Println(qcschema.QCVariableName(p))
	}
	// Output:
	// CP-CORRECTED TOTAL ENERGY THROUGH 2-BODY
	// VMFC-CORRECTED 2-BODY CONTRIBUTION TO GRADIENT
	// CURRENT ENERGY
}
