package psi4

import (
	"encoding/json"
	"errors"
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

// ran is what a Psi4 run left behind: the output document its runner wrote (or why there
// is none), how the process ended and what it printed, for error messages.
type ran struct {
	doc            []byte
	docErr         error // reading the document
	exit           error // the process's exit (nil for a resident process that answered)
	stdout, stderr []byte
}

// processText is the end of what the process printed.
func (r *ran) processText() string {
	return tail(string(r.stderr)+"\n"+string(r.stdout), 4000)
}

// result turns Psi4's output document (or the lack of one) into an AtomicResult or a
// FailedOperation.
func result(in *qcschema.AtomicInput, ver version, r ran) (*qcschema.AtomicResult, error) {
	out, err := r.decode(in)
	if err != nil {
		return nil, err
	}
	if !*out.Success {
		return nil, out.failure(in)
	}
	res, err := out.atomicResult(in, ver)
	if err != nil {
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorUnknown, err.Error())
	}
	return res, nil
}

// decode reads the output document; a missing or unreadable one is a FailedOperation that
// quotes the end of what the process printed.
func (r *ran) decode(in *qcschema.AtomicInput) (*output, error) {
	if r.docErr != nil {
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorUnknown,
			fmt.Sprintf("psi4 wrote no result (%v; exit: %v): %s", r.docErr, r.exit, r.processText()))
	}
	var out output
	if err := json.Unmarshal(r.doc, &out); err != nil || out.Success == nil {
		msg := "psi4 did not run the input"
		if err != nil {
			msg = fmt.Sprintf("psi4 result is not JSON: %v", err)
		}
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorUnknown,
			fmt.Sprintf("%s (exit: %v): %s", msg, r.exit, r.processText()))
	}
	return &out, nil
}

// text is Psi4's output text: raw_output (1.3) or stdout (1.4 and later), nil if neither.
func (out *output) text() *string {
	if out.RawOutput != nil {
		return out.RawOutput
	}
	return out.Stdout
}

// failure is the FailedOperation of a document with success false: the exception's
// message, classified, with its class name, traceback and Psi4's output text in extras.
func (out *output) failure(in *qcschema.AtomicInput) *qcschema.FailedOperation {
	extras := map[string]any{}
	typ, msg := qcschema.ErrorUnknown, "psi4 failed without an error record"
	if out.Error != nil {
		typ, msg = classify(out.Error.ErrorType, out.Error.ErrorMessage)
		extras["psi4_error_type"] = out.Error.ErrorType
		extras["traceback"] = out.Error.ErrorMessage
	}
	if text := out.text(); text != nil {
		extras["stdout"] = *text
	}
	// The message may quote the input whole (an option's value); the traceback extra keeps
	// all of it.
	f := qcschema.NewFailedOperation(in, typ, "psi4: "+qcschema.Excerpt(msg, 5*qcschema.ExcerptLen))
	f.Extras = extras
	return f
}

// atomicResult builds the AtomicResult of a successful document, normalising Psi4 1.3's
// quirks (see the package documentation).
func (out *output) atomicResult(in *qcschema.AtomicInput, ver version) (*qcschema.AtomicResult, error) {
	res := qcschema.NewAtomicResult(in, qcschema.Provenance{Creator: "Psi4", Version: ver.text, Routine: "psi4 " + ver.runnerFlag()})
	if out.Provenance != nil && out.Provenance.Version != "" {
		res.Provenance = *out.Provenance
	}
	if q, ok := out.Extras["qcvars"]; ok {
		res.Extras["qcvars"] = q
	}
	if len(out.Properties) > 0 && string(out.Properties) != "null" {
		if err := json.Unmarshal(out.Properties, &res.Properties); err != nil {
			return nil, fmt.Errorf("psi4 properties: %v", err)
		}
	}
	if !ver.atLeast(1, 4) && len(res.Properties.SCFDipoleMoment) == 3 {
		// Psi4 1.3 reports SCF DIPOLE X/Y/Z in debye; QCSchema wants e·bohr.
		for i := range res.Properties.SCFDipoleMoment {
			res.Properties.SCFDipoleMoment[i] /= debyePerAU
		}
	}
	if err := out.returnResult(in, res); err != nil {
		return nil, err
	}
	if text := out.text(); text != nil && wantStdout(in.Protocols) {
		s := *text
		res.Stdout = &s
	}
	if out.Stderr != nil && *out.Stderr != "" {
		s := *out.Stderr
		res.Stderr = &s
	}
	return res, nil
}

// returnResult fills res.ReturnResult, and the return property of the driver, from the
// document's return_result, checking its shape against the driver and molecule. The
// properties driver's object moves to extras["psi4_properties"], its energy to
// return_result.
func (out *output) returnResult(in *qcschema.AtomicInput, res *qcschema.AtomicResult) error {
	if err := res.ReturnResult.UnmarshalJSON(out.ReturnResult); err != nil {
		var obj map[string]any
		if in.Driver != qcschema.DriverProperties || json.Unmarshal(out.ReturnResult, &obj) != nil {
			return fmt.Errorf("psi4 return_result: %v", err)
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
			return errors.New("psi4 returned an array for an energy")
		}
		if res.Properties.ReturnEnergy == nil {
			e := res.ReturnResult.Scalar
			res.Properties.ReturnEnergy = &e
		}
	case qcschema.DriverGradient:
		if len(res.ReturnResult.Array) != 3*n {
			return fmt.Errorf("psi4 returned %d gradient entries for %d atoms", len(res.ReturnResult.Array), n)
		}
		if res.Properties.ReturnGradient == nil {
			res.Properties.ReturnGradient = res.ReturnResult.Array
		}
	case qcschema.DriverHessian:
		if len(res.ReturnResult.Array) != 9*n*n {
			return fmt.Errorf("psi4 returned %d Hessian entries for %d atoms", len(res.ReturnResult.Array), n)
		}
		if res.Properties.ReturnHessian == nil {
			res.Properties.ReturnHessian = res.ReturnResult.Array
		}
	}
	return nil
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
