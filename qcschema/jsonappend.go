package qcschema

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/qcmb-go/qcmb/internal/jsonnum"
	"github.com/qcmb-go/qcmb/internal/jsontext"
)

// A many-body result carries the properties of every fragment calculation, thousands of
// gradients and Hessians, so AtomicResultProperties is encoded by hand: the same bytes as
// encoding/json writes for its fields, without reflection on each number.

// objectAppender appends the members of one JSON object, keeping the first error:
// compact, or when indent is set in IndentWriter's layout for an object nested depth
// levels deep.
type objectAppender struct {
	b      []byte
	first  bool
	err    error
	indent bool
	depth  int
}

func (o *objectAppender) name(name string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	if o.indent {
		o.b = appendNewline(o.b, o.depth+1)
	}
	o.b = append(o.b, '"')
	o.b = append(o.b, name...) // field names are plain ASCII
	o.b = append(o.b, '"', ':')
	if o.indent {
		o.b = append(o.b, ' ')
	}
}

// end closes the object.
func (o *objectAppender) end() []byte {
	if o.indent && !o.first {
		o.b = appendNewline(o.b, o.depth)
	}
	return append(o.b, '}')
}

// appendNewline starts a line indented depth levels.
func appendNewline(b []byte, depth int) []byte {
	b = append(b, '\n')
	for range depth {
		b = append(b, "  "...)
	}
	return b
}

func (o *objectAppender) int(name string, x *int) {
	if x == nil {
		return
	}
	o.name(name)
	o.b = strconv.AppendInt(o.b, int64(*x), 10)
}

func (o *objectAppender) float(name string, x *float64) {
	if x == nil || o.err != nil {
		return
	}
	o.name(name)
	o.b, o.err = jsonnum.Append(o.b, *x)
}

func (o *objectAppender) floats(name string, xs []float64) {
	if len(xs) == 0 || o.err != nil {
		return
	}
	o.name(name)
	o.b = append(o.b, '[')
	for i, x := range xs {
		if i > 0 {
			o.b = append(o.b, ',')
			if o.indent {
				o.b = append(o.b, ' ')
			}
		}
		if o.b, o.err = jsonnum.Append(o.b, x); o.err != nil {
			return
		}
	}
	o.b = append(o.b, ']')
}

// AppendJSON appends p as MarshalJSON writes it.
func (p *AtomicResultProperties) AppendJSON(b []byte) ([]byte, error) {
	return p.appendJSON(b, false, 0)
}

// appendJSON appends p compact, or with indent in IndentWriter's layout as an object
// nested depth levels deep.
func (p *AtomicResultProperties) appendJSON(b []byte, indent bool, depth int) ([]byte, error) {
	o := objectAppender{b: append(b, '{'), first: true, indent: indent, depth: depth}
	o.int("calcinfo_nbasis", p.CalcinfoNBasis)
	o.int("calcinfo_nmo", p.CalcinfoNMO)
	o.int("calcinfo_nalpha", p.CalcinfoNAlpha)
	o.int("calcinfo_nbeta", p.CalcinfoNBeta)
	o.int("calcinfo_natom", p.CalcinfoNAtom)
	o.float("nuclear_repulsion_energy", p.NuclearRepulsionEnergy)
	o.float("return_energy", p.ReturnEnergy)
	o.floats("return_gradient", p.ReturnGradient)
	o.floats("return_hessian", p.ReturnHessian)
	o.float("scf_one_electron_energy", p.SCFOneElectronEnergy)
	o.float("scf_two_electron_energy", p.SCFTwoElectronEnergy)
	o.float("scf_total_energy", p.SCFTotalEnergy)
	o.int("scf_iterations", p.SCFIterations)
	o.floats("scf_dipole_moment", p.SCFDipoleMoment)
	o.floats("scf_total_gradient", p.SCFTotalGradient)
	o.floats("scf_total_hessian", p.SCFTotalHessian)
	o.float("mp2_same_spin_correlation_energy", p.MP2SameSpinCorrelationEnergy)
	o.float("mp2_opposite_spin_correlation_energy", p.MP2OppositeSpinCorrelationEnergy)
	o.float("mp2_singles_energy", p.MP2SinglesEnergy)
	o.float("mp2_doubles_energy", p.MP2DoublesEnergy)
	o.float("mp2_correlation_energy", p.MP2CorrelationEnergy)
	o.float("mp2_total_energy", p.MP2TotalEnergy)
	if o.err != nil {
		return b, o.err
	}
	if len(p.Other) > 0 {
		keys := make([]string, 0, len(p.Other))
		for k := range p.Other {
			if !arpNames[k] {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			v := p.Other[k]
			if len(v) == 0 {
				v = json.RawMessage("null")
			}
			if !json.Valid(v) {
				return b, &json.UnsupportedValueError{Str: "AtomicResultProperties.Other[" + k + "]"}
			}
			if !o.first {
				o.b = append(o.b, ',')
			}
			o.first = false
			if !o.indent {
				kb, _ := json.Marshal(k)
				o.b = append(o.b, kb...)
				o.b = append(o.b, ':')
				o.b = append(o.b, v...)
				continue
			}
			o.b = appendNewline(o.b, o.depth+1)
			o.b = jsontext.AppendString(o.b, k, jsontext.EscapeHTML)
			o.b = append(o.b, ':', ' ')
			// The value is any JSON: an IndentWriter of its own lays it out at this depth.
			iw := IndentWriter{out: o.b, depth: o.depth + 1}
			iw.format(v)
			iw.flushPending()
			o.b = iw.out
		}
	}
	return o.end(), nil
}
