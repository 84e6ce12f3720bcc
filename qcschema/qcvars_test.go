package qcschema

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The QCVariable names of QCManyBody's tests (test_computer_he4_singlelevel.py he4_refs_conv
// and sumdict, test_computer_het4_gradient.py) and of its to_qcvariables map.
func TestQCVariableNames(t *testing.T) {
	cases := map[string]string{
		"cp_corrected_total_energy_through_1_body":          "CP-CORRECTED TOTAL ENERGY THROUGH 1-BODY",
		"cp_corrected_total_energy_through_2_body":          "CP-CORRECTED TOTAL ENERGY THROUGH 2-BODY",
		"cp_corrected_interaction_energy_through_2_body":    "CP-CORRECTED INTERACTION ENERGY THROUGH 2-BODY",
		"cp_corrected_2_body_contribution_to_energy":        "CP-CORRECTED 2-BODY CONTRIBUTION TO ENERGY",
		"cp_corrected_4_body_contribution_to_energy":        "CP-CORRECTED 4-BODY CONTRIBUTION TO ENERGY",
		"cp_corrected_total_energy":                         "CP-CORRECTED TOTAL ENERGY",
		"cp_corrected_interaction_energy":                   "CP-CORRECTED INTERACTION ENERGY",
		"nocp_corrected_total_energy_through_3_body":        "NOCP-CORRECTED TOTAL ENERGY THROUGH 3-BODY",
		"nocp_corrected_interaction_energy":                 "NOCP-CORRECTED INTERACTION ENERGY",
		"nocp_corrected_3_body_contribution_to_energy":      "NOCP-CORRECTED 3-BODY CONTRIBUTION TO ENERGY",
		"vmfc_corrected_2_body_contribution_to_energy":      "VMFC-CORRECTED 2-BODY CONTRIBUTION TO ENERGY",
		"vmfc_corrected_interaction_energy_through_4_body":  "VMFC-CORRECTED INTERACTION ENERGY THROUGH 4-BODY",
		"vmfc_corrected_total_energy":                       "VMFC-CORRECTED TOTAL ENERGY",
		"cp_corrected_total_gradient_through_2_body":        "CP-CORRECTED TOTAL GRADIENT THROUGH 2-BODY",
		"nocp_corrected_interaction_gradient":               "NOCP-CORRECTED INTERACTION GRADIENT",
		"vmfc_corrected_2_body_contribution_to_gradient":    "VMFC-CORRECTED 2-BODY CONTRIBUTION TO GRADIENT",
		"cp_corrected_total_hessian_through_3_body":         "CP-CORRECTED TOTAL HESSIAN THROUGH 3-BODY",
		"nocp_corrected_interaction_hessian_through_2_body": "NOCP-CORRECTED INTERACTION HESSIAN THROUGH 2-BODY",
		"vmfc_corrected_3_body_contribution_to_hessian":     "VMFC-CORRECTED 3-BODY CONTRIBUTION TO HESSIAN",
		"return_energy":            "CURRENT ENERGY",
		"return_gradient":          "CURRENT GRADIENT",
		"return_hessian":           "CURRENT HESSIAN",
		"calcinfo_nmbe":            "NBODY NUMBER",
		"calcinfo_nmc":             "CALCINFO NMC",
		"calcinfo_nfr":             "CALCINFO NFR",
		"calcinfo_natom":           "CALCINFO NATOM",
		"nuclear_repulsion_energy": "NUCLEAR REPULSION ENERGY",
	}
	for prop, qcvar := range cases {
		assert.Equal(t, qcvar, QCVariableName(prop), "QCVariableName(%q)", prop)
		got, ok := PropertyName(qcvar)
		assert.True(t, ok, "PropertyName(%q)", qcvar)
		assert.Equal(t, prop, got, "PropertyName(%q)", qcvar)
	}
	// QCManyBody's reverse map also takes the plain spellings of the renamed ones.
	for qcvar, prop := range map[string]string{"RETURN ENERGY": "return_energy", "CALCINFO NMBE": "calcinfo_nmbe"} {
		got, ok := PropertyName(qcvar)
		assert.True(t, ok, "PropertyName(%q)", qcvar)
		assert.Equal(t, prop, got, "PropertyName(%q)", qcvar)
	}
	for _, bad := range []string{"SCF TOTAL ENERGY", "CP-CORRECTED", "cp-corrected total energy", "SCHEMA NAME", ""} {
		got, ok := PropertyName(bad)
		assert.False(t, ok, "PropertyName(%q) = %q, want none", bad, got)
	}
}

func TestManyBodyPropertiesQCVariables(t *testing.T) {
	nmbe, natom := 5, 2
	e, ie := -11.5, 0.008
	p := ManyBodyResultProperties{
		SchemaName: SchemaManyBodyResultProperties, SchemaVersion: 1,
		CalcinfoNMBE: &nmbe, CalcinfoNAtom: &natom, ReturnEnergy: &ie, NuclearRepulsionEnergy: &e,
		ReturnGradient: []float64{1, 2, 3, -1, -2, -3},
		Energies:       map[string]float64{"cp_corrected_interaction_energy": ie, "cp_corrected_2_body_contribution_to_energy": ie},
		Arrays:         map[string][]float64{"cp_corrected_interaction_gradient": {1, 2, 3, -1, -2, -3}},
	}
	got := p.QCVariables()
	want := []string{"CALCINFO NATOM", "CP-CORRECTED 2-BODY CONTRIBUTION TO ENERGY", "CP-CORRECTED INTERACTION ENERGY",
		"CP-CORRECTED INTERACTION GRADIENT", "CURRENT ENERGY", "CURRENT GRADIENT", "NBODY NUMBER", "NUCLEAR REPULSION ENERGY"}
	require.Equal(t, want, slices.Sorted(maps.Keys(got)), "names")
	assert.Equal(t, ie, got["CURRENT ENERGY"])
	assert.Equal(t, 5.0, got["NBODY NUMBER"])
	assert.Equal(t, p.ReturnGradient, got["CURRENT GRADIENT"])
}
