package psi4

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/qcmb-go/qcmb/qcschema"
)

// debyePerAU is QCElemental's dipmom_au2debye: one e·bohr in debye.
const debyePerAU = 2.541746473

// output is what Psi4's runners write back: the 1.3 json_wrapper document or, from 1.4,
// an AtomicResult or FailedOperation.
type output struct {
	Success      *bool                  `json:"success"`
	Error        *qcschema.ComputeError `json:"error"`
	ReturnResult json.RawMessage        `json:"return_result"`
	Properties   json.RawMessage        `json:"properties"`
	Provenance   *qcschema.Provenance   `json:"provenance"`
	Extras       map[string]any         `json:"extras"`
	RawOutput    *string                `json:"raw_output"` // 1.3
	Stdout       *string                `json:"stdout"`     // 1.4+
	Stderr       *string                `json:"stderr"`
}

// result turns Psi4's output document (or the lack of one) into an AtomicResult or a
// FailedOperation.
func (p *Program) result(in *qcschema.AtomicInput, ver version, data []byte, readErr, runErr error, stdout, stderr []byte) (*qcschema.AtomicResult, error) {
	fail := func(typ, msg string, extras map[string]any) (*qcschema.AtomicResult, error) {
		f := qcschema.NewFailedOperation(in, typ, msg)
		f.Extras = extras
		return nil, f
	}
	processText := func() string {
		return tail(string(stderr)+"\n"+string(stdout), 4000)
	}
	var out output
	if readErr != nil {
		return fail(qcschema.ErrorUnknown, fmt.Sprintf("psi4 wrote no result (%v; exit: %v): %s", readErr, runErr, processText()), nil)
	}
	if err := json.Unmarshal(data, &out); err != nil || out.Success == nil {
		msg := "psi4 did not run the input"
		if err != nil {
			msg = fmt.Sprintf("psi4 result is not JSON: %v", err)
		}
		return fail(qcschema.ErrorUnknown, fmt.Sprintf("%s (exit: %v): %s", msg, runErr, processText()), nil)
	}
	text := out.RawOutput
	if text == nil {
		text = out.Stdout
	}
	if !*out.Success {
		extras := map[string]any{}
		typ, msg := qcschema.ErrorUnknown, "psi4 failed without an error record"
		if out.Error != nil {
			typ, msg = classify(out.Error.ErrorType, out.Error.ErrorMessage)
			extras["psi4_error_type"] = out.Error.ErrorType
			extras["traceback"] = out.Error.ErrorMessage
		}
		if text != nil {
			extras["stdout"] = *text
		}
		// The message may quote the input whole (an option's value); the traceback
		// extra keeps all of it.
		return fail(typ, "psi4: "+qcschema.Excerpt(msg, 5*qcschema.ExcerptLen), extras)
	}

	res := qcschema.NewAtomicResult(in, qcschema.Provenance{Creator: "Psi4", Version: ver.text, Routine: "psi4 " + ver.runnerFlag()})

	if out.Provenance != nil && out.Provenance.Version != "" {
		res.Provenance = *out.Provenance
	}
	if q, ok := out.Extras["qcvars"]; ok {
		res.Extras["qcvars"] = q
	}
	if len(out.Properties) > 0 && string(out.Properties) != "null" {
		if err := json.Unmarshal(out.Properties, &res.Properties); err != nil {
			return fail(qcschema.ErrorUnknown, fmt.Sprintf("psi4 properties: %v", err), nil)
		}
	}
	if !ver.atLeast(1, 4) && len(res.Properties.SCFDipoleMoment) == 3 {
		// Psi4 1.3 reports SCF DIPOLE X/Y/Z in debye; QCSchema wants e·bohr.
		for i := range res.Properties.SCFDipoleMoment {
			res.Properties.SCFDipoleMoment[i] /= debyePerAU
		}
	}
	if err := res.ReturnResult.UnmarshalJSON(out.ReturnResult); err != nil {
		var obj map[string]any
		if in.Driver != qcschema.DriverProperties || json.Unmarshal(out.ReturnResult, &obj) != nil {
			return fail(qcschema.ErrorUnknown, fmt.Sprintf("psi4 return_result: %v", err), nil)
		}
		res.Extras["psi4_properties"] = obj
		res.ReturnResult = qcschema.ReturnResult{}
		if e := res.Properties.ReturnEnergy; e != nil {
			res.ReturnResult.Scalar = *e
		}
	}
	n := in.Molecule.NAtom()
	switch in.Driver {
	case qcschema.DriverEnergy:
		if res.ReturnResult.Array != nil {
			return fail(qcschema.ErrorUnknown, "psi4 returned an array for an energy", nil)
		}
		if res.Properties.ReturnEnergy == nil {
			e := res.ReturnResult.Scalar
			res.Properties.ReturnEnergy = &e
		}
	case qcschema.DriverGradient:
		if len(res.ReturnResult.Array) != 3*n {
			return fail(qcschema.ErrorUnknown, fmt.Sprintf("psi4 returned %d gradient entries for %d atoms", len(res.ReturnResult.Array), n), nil)
		}
		if res.Properties.ReturnGradient == nil {
			res.Properties.ReturnGradient = res.ReturnResult.Array
		}
	case qcschema.DriverHessian:
		if len(res.ReturnResult.Array) != 9*n*n {
			return fail(qcschema.ErrorUnknown, fmt.Sprintf("psi4 returned %d Hessian entries for %d atoms", len(res.ReturnResult.Array), n), nil)
		}
		if res.Properties.ReturnHessian == nil {
			res.Properties.ReturnHessian = res.ReturnResult.Array
		}
	}
	if text != nil && wantStdout(in.Protocols) {
		s := *text
		res.Stdout = &s
	}
	if out.Stderr != nil && *out.Stderr != "" {
		s := *out.Stderr
		res.Stderr = &s
	}
	return res, nil
}

// wantStdout reads the QCSchema protocol stdout (default true).
func wantStdout(protocols map[string]any) bool {
	if v, ok := protocols["stdout"].(bool); ok {
		return v
	}
	return true
}

// classify maps a Psi4 (Python) exception class name and traceback to a QCSchema error type
// and a short message: the exception line of the last traceback and what follows it.
func classify(pyType, traceback string) (string, string) {
	msg := exceptionMessage(traceback)
	switch pyType {
	case qcschema.ErrorInput, qcschema.ErrorConvergence, qcschema.ErrorUnknown, qcschema.ErrorRandom,
		qcschema.ErrorResource, qcschema.ErrorUnavailable, qcschema.ErrorTimeout:
		return pyType, msg // psi4 >= 1.4 already reports QCSchema error types
	}
	t := pyType
	if i := strings.LastIndex(t, "."); i >= 0 {
		t = t[i+1:]
	}
	switch {
	case strings.Contains(t, "Convergence"):
		return qcschema.ErrorConvergence, msg
	case t == "BasisSetNotFound", t == "BasisSetFileNotFound", t == "ValidationError",
		t == "KeyError", t == "ValueError", t == "TypeError", t == "UpgradeHelper",
		t == "ManagedMethodError", t == "MissingMethodError", t == "ParsingError",
		t == "TestComparisonError":
		return qcschema.ErrorInput, msg
	case t == "MemoryError":
		return qcschema.ErrorResource, msg
	}
	return qcschema.ErrorUnknown, msg
}

// exceptionMessage extracts, from a Python traceback, the exception line ("Class: text")
// and the lines after it. A text that is no traceback is returned trimmed.
func exceptionMessage(tb string) string {
	i := strings.LastIndex(tb, "Traceback (most recent call last):")
	if i < 0 {
		return strings.TrimSpace(tb)
	}
	lines := strings.Split(tb[i:], "\n")[1:]
	for j, l := range lines {
		if l == "" || l[0] == ' ' || l[0] == '\t' {
			continue
		}
		// Drop the module path of the exception class: psi4.driver.qcdb.exceptions.X -> X.
		first := l
		if k := strings.Index(first, ":"); k > 0 && !strings.Contains(first[:k], " ") {
			if d := strings.LastIndex(first[:k], "."); d >= 0 {
				first = first[d+1:]
			}
		}
		rest := append([]string{first}, lines[j+1:]...)
		return strings.TrimSpace(strings.Join(rest, "\n"))
	}
	return strings.TrimSpace(tb)
}
