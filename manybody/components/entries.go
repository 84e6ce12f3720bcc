package components

import (
	"errors"
	"fmt"

	"github.com/qcmb-go/qcmb/internal/jsontext"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/qcschema"
)

// labeled is one parsed component: its task's canonical label and its properties.
type labeled struct {
	label string
	props qcschema.AtomicResultProperties
}

// parseComponent reads one entry of a component list: {"mc", "real", "basis", "energy",
// "gradient"?, "hessian"?}. A task built from its parts has its canonical label; one that
// the plan lacks (unsorted or invalid fragments) is reported as missing from the plan's
// side.
func parseComponent(elem []byte) (labeled, error) {
	sc := jsontext.NewScanner(elem)
	var t manybody.Task
	var c labeled
	var haveReal, haveBasis bool
	err := sc.Members(func(name string) error {
		var err error
		switch name {
		case "mc":
			t.MC, err = sc.Str()
		case "real":
			t.Real, err = sc.Ints()
			haveReal = true
		case "basis":
			t.Basis, err = sc.Ints()
			haveBasis = true
		case "energy", "gradient", "hessian":
			err = property(&sc, &c.props, name)
		default:
			return fmt.Errorf("unknown field %q (want mc, real, basis, energy, gradient, hessian)", name)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	})
	if err == nil {
		err = sc.End()
	}
	switch {
	case err != nil:
		return c, err
	case !haveReal:
		return c, errors.New("no real")
	case !haveBasis:
		return c, errors.New("no basis")
	case c.props.ReturnEnergy == nil:
		return c, errors.New("no energy")
	}
	if err := t.Validate(); err != nil {
		return c, err
	}
	c.label = t.Label()
	return c, nil
}

// property reads the value of an energy, gradient or Hessian member into p; null leaves
// it unset.
func property(sc *jsontext.Scanner, p *qcschema.AtomicResultProperties, name string) error {
	var err error
	switch name {
	case "energy", "return_energy":
		var e float64
		if e, err = sc.OptionalNumber(); err == nil {
			p.ReturnEnergy = &e
		} else if err == jsontext.ErrNull {
			err = nil
		}
	case "gradient", "return_gradient":
		p.ReturnGradient, err = sc.FloatArray()
	case "hessian", "return_hessian":
		p.ReturnHessian, err = sc.FloatArray()
	}
	return err
}

// parseDictEntry reads one value of QCManyBody's component dictionary: {"energy",
// "gradient"?, "hessian"?} or just the energy. The names of AtomicResultProperties
// (return_energy, ...) are read too, so that the component_properties of a ManyBodyResult
// can be analyzed again, and its other members are passed over.
func parseDictEntry(value []byte) (qcschema.AtomicResultProperties, error) {
	var p qcschema.AtomicResultProperties
	sc := jsontext.NewScanner(value)
	if sc.Peek() != '{' {
		e, err := sc.Number()
		if err != nil {
			return p, errors.New(`want an energy or {"energy", "gradient", "hessian"}`)
		}
		p.ReturnEnergy = &e
		return p, sc.End()
	}
	var short, long bool // energy/gradient/hessian, return_energy/...
	err := sc.Members(func(name string) error {
		switch name {
		case "energy", "gradient", "hessian":
			short = true
		case "return_energy", "return_gradient", "return_hessian":
			long = true
		default:
			return sc.SkipValue()
		}
		if short && long {
			return fmt.Errorf("%s: give energy, gradient and hessian or return_energy, return_gradient and return_hessian, not both", name)
		}
		if err := property(&sc, &p, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	})
	if err == nil {
		err = sc.End()
	}
	if err == nil && p.ReturnEnergy == nil {
		err = errors.New("no energy")
	}
	return p, err
}

// firstMemberName is the name of the first member of the object in data.
func firstMemberName(data []byte) (string, error) {
	sc := jsontext.NewScanner(data)
	if err := sc.Expect('{'); err != nil {
		return "", err
	}
	return sc.Str()
}
