package qcschema

import "strings"

// QCVariables are the many-body properties under the names Psi4 gives them (QCVariables),
// as QCManyBody's ManyBodyProperties.to_qcvariables and translate_qcvariables name them:
// "cp_corrected_total_energy_through_2_body" is "CP-CORRECTED TOTAL ENERGY THROUGH 2-BODY",
// return_energy/gradient/hessian are "CURRENT ENERGY"/"CURRENT GRADIENT"/"CURRENT HESSIAN",
// calcinfo_nmbe is "NBODY NUMBER".

// QCVariableName is the QCVariable name of the many-body property prop.
func QCVariableName(prop string) string {
	switch prop {
	case "return_energy":
		return "CURRENT ENERGY"
	case "return_gradient":
		return "CURRENT GRADIENT"
	case "return_hessian":
		return "CURRENT HESSIAN"
	case "calcinfo_nmbe":
		return "NBODY NUMBER"
	}
	return mechanicalQCVariable(prop)
}

// mechanicalQCVariable is QCManyBody's rule:
// .replace("_body", "-body").replace("_corr", "-corr").replace("_", " ").upper()
func mechanicalQCVariable(prop string) string {
	q := strings.ReplaceAll(prop, "_body", "-body")
	q = strings.ReplaceAll(q, "_corr", "-corr")
	return strings.ToUpper(strings.ReplaceAll(q, "_", " "))
}

// PropertyName is the many-body property of a QCVariable name, the inverse of
// QCVariableName (which also takes the plain spellings "RETURN ENERGY" and "CALCINFO NMBE",
// as QCManyBody's reverse map does); ok is false for a name that is no many-body QCVariable.
func PropertyName(qcvar string) (prop string, ok bool) {
	switch qcvar {
	case "CURRENT ENERGY":
		return "return_energy", true
	case "CURRENT GRADIENT":
		return "return_gradient", true
	case "CURRENT HESSIAN":
		return "return_hessian", true
	case "NBODY NUMBER":
		return "calcinfo_nmbe", true
	}
	p := strings.ToLower(strings.ReplaceAll(qcvar, " ", "_"))
	p = strings.ReplaceAll(p, "-body", "_body")
	p = strings.ReplaceAll(p, "-corr", "_corr")
	if mechanicalQCVariable(p) != qcvar || !isManyBodyProperty(p) {
		return "", false
	}
	return p, true
}

func isManyBodyProperty(p string) bool {
	if fixedMBPropNames[p] && p != "schema_name" && p != "schema_version" {
		return true
	}
	for _, bsse := range []string{"cp", "nocp", "vmfc"} {
		if strings.HasPrefix(p, bsse+"_corrected_") {
			return true
		}
	}
	return false
}

// QCVariables returns the properties p holds under their QCVariable names: numbers as
// float64 (counts too), gradients and Hessians as flat []float64.
func (p *ManyBodyResultProperties) QCVariables() map[string]any {
	out := make(map[string]any, len(p.Energies)+len(p.Arrays)+8)
	for name, v := range p.Energies {
		out[QCVariableName(name)] = v
	}
	for name, v := range p.Arrays {
		out[QCVariableName(name)] = v
	}
	ints := map[string]*int{"calcinfo_nmc": p.CalcinfoNMC, "calcinfo_nfr": p.CalcinfoNFR,
		"calcinfo_natom": p.CalcinfoNAtom, "calcinfo_nmbe": p.CalcinfoNMBE}
	for name, v := range ints {
		if v != nil {
			out[QCVariableName(name)] = float64(*v)
		}
	}
	if p.NuclearRepulsionEnergy != nil {
		out[QCVariableName("nuclear_repulsion_energy")] = *p.NuclearRepulsionEnergy
	}
	if p.ReturnEnergy != nil {
		out[QCVariableName("return_energy")] = *p.ReturnEnergy
	}
	if p.ReturnGradient != nil {
		out[QCVariableName("return_gradient")] = p.ReturnGradient
	}
	if p.ReturnHessian != nil {
		out[QCVariableName("return_hessian")] = p.ReturnHessian
	}
	return out
}
