package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/qcmb-go/qcmb/internal/jsontext"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// componentJSON is one entry of a component list as qcmb store export writes it: a
// fragment result with flat gradient and Hessian arrays (the reader takes nested rows too).
type componentJSON struct {
	MC       string    `json:"mc"`
	Real     []int     `json:"real"`
	Basis    []int     `json:"basis"`
	Energy   *float64  `json:"energy"`
	Gradient []float64 `json:"gradient,omitempty"`
	Hessian  []float64 `json:"hessian,omitempty"`
}

// componentSet holds fragment results: the properties of a component list or dictionary,
// or AtomicResult documents, by task label or, without one, kept apart to be matched to
// tasks by their molecule.
type componentSet struct {
	// props holds the entries of a component list or dictionary by canonical task label.
	props map[string]qcschema.AtomicResultProperties
	// byLabel holds the AtomicResults whose id is a task label.
	byLabel   map[string]*qcschema.AtomicResult
	unlabeled []*qcschema.AtomicResult
	// source names where each unlabeled result came from, for errors.
	source []string
}

func (s *componentSet) addLabeled(where, label string, r *qcschema.AtomicResult) error {
	t, err := manybody.ParseLabel(label)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	key := t.Label()
	if _, dup := s.byLabel[key]; dup {
		return fmt.Errorf("%s: task %s given twice", where, key)
	}
	s.byLabel[key] = r
	return nil
}

// readComponents reads the fragment results for qcmb analyze from path, in any of these
// formats:
//
//   - a JSON list of {"mc", "real", "basis", "energy", "gradient"?, "hessian"?} objects
//     (the test vectors' components and qcmb store export);
//   - QCManyBody's component dictionary, as ManyBodyCore.analyze takes it: task label ->
//     {"energy", "gradient"?, "hessian"?} (or just the energy as a number);
//   - AtomicResults: a directory of *.json files, a JSON-lines file, or one document.
//     Each is matched to its task by its id when that is a task label (as qcmb's executors
//     set it), or else by its molecule.
func readComponents(read inputReader, path string) (*componentSet, error) {
	set := &componentSet{byLabel: map[string]*qcschema.AtomicResult{}}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return set, set.readDir(read, path)
	}
	data, release, err := read.mapped(path)
	if err != nil {
		return nil, err
	}
	defer release() // nothing read from data refers to it
	return parseComponents(set, path, data)
}

// parseComponents reads the components in data, the contents of path, into set.
func parseComponents(set *componentSet, path string, data []byte) (_ *componentSet, err error) {
	defer guardFaults()()
	defer recoverFault(&err, path)
	i := jsontext.SkipSpace(data, 0)
	if i == len(data) {
		return nil, fmt.Errorf("%s: no components", path)
	}
	if data[i] == '[' {
		return set, set.readList(path, data)
	}
	end, err := jsontext.ValueEnd(data, i)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if jsontext.SkipSpace(data, end) < len(data) {
		return set, set.readLines(path, data)
	}
	return set, set.readDict(path, data)
}

// readList reads a component list.
func (s *componentSet) readList(path string, data []byte) error {
	s.props = map[string]qcschema.AtomicResultProperties{}
	err := parseMembers(data, '[', ']', func(_, elem []byte) (labeled, error) {
		return parseComponent(elem)
	}, func(k int, _ []byte, c labeled) error {
		if _, dup := s.props[c.label]; dup {
			return fmt.Errorf("components[%d]: task %s given twice", k, c.label)
		}
		s.props[c.label] = c.props
		return nil
	}, func(k int, _ []byte) string { return fmt.Sprintf("components[%d]", k) })
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

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
	sc := scanner{data: elem}
	var t manybody.Task
	var c labeled
	var haveReal, haveBasis bool
	err := sc.members(func(name string) error {
		var err error
		switch name {
		case "mc":
			t.MC, err = sc.str()
		case "real":
			t.Real, err = sc.ints()
			haveReal = true
		case "basis":
			t.Basis, err = sc.ints()
			haveBasis = true
		case "energy", "gradient", "hessian":
			err = sc.property(&c.props, name)
		default:
			return fmt.Errorf("unknown field %q (want mc, real, basis, energy, gradient, hessian)", name)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	})
	if err == nil {
		err = sc.end()
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
	c.label = t.Label()
	return c, nil
}

// property reads the value of an energy, gradient or Hessian member into p; null leaves
// it unset.
func (sc *scanner) property(p *qcschema.AtomicResultProperties, name string) error {
	var err error
	switch name {
	case "energy", "return_energy":
		var e float64
		if e, err = sc.optionalNumber(); err == nil {
			p.ReturnEnergy = &e
		} else if err == errNoValue {
			err = nil
		}
	case "gradient", "return_gradient":
		p.ReturnGradient, err = sc.floatArray()
	case "hessian", "return_hessian":
		p.ReturnHessian, err = sc.floatArray()
	}
	return err
}

// readDict reads QCManyBody's component dictionary, task label -> {"energy", "gradient"?,
// "hessian"?} or just the energy; the names of AtomicResultProperties (return_energy, ...)
// are read too, so that the component_properties of a ManyBodyResult can be analyzed again,
// and its other members are passed over. A document whose first member is not a task label
// is taken as one AtomicResult.
func (s *componentSet) readDict(path string, data []byte) error {
	if first, err := firstMemberName(data); err == nil {
		if _, err := manybody.ParseLabel(first); err != nil {
			return s.addResult(path, data)
		}
	}
	s.props = map[string]qcschema.AtomicResultProperties{}
	err := parseMembers(data, '{', '}', func(rawKey, value []byte) (labeled, error) {
		label, err := unquote(rawKey)
		if err != nil {
			return labeled{}, err
		}
		t, err := manybody.ParseLabel(label)
		if err != nil {
			return labeled{}, err
		}
		props, err := parseDictEntry(value)
		return labeled{label: t.Label(), props: props}, err
	}, func(_ int, rawKey []byte, c labeled) error {
		if _, dup := s.props[c.label]; dup {
			return fmt.Errorf("%s: task %s given twice", rawKey, c.label)
		}
		s.props[c.label] = c.props
		return nil
	}, func(_ int, rawKey []byte) string { return string(rawKey) })
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// parseDictEntry reads one value of a component dictionary.
func parseDictEntry(value []byte) (qcschema.AtomicResultProperties, error) {
	var p qcschema.AtomicResultProperties
	sc := scanner{data: value}
	if sc.peek() != '{' {
		e, err := sc.number()
		if err != nil {
			return p, errors.New(`want an energy or {"energy", "gradient", "hessian"}`)
		}
		p.ReturnEnergy = &e
		return p, sc.end()
	}
	var short, long bool // energy/gradient/hessian, return_energy/...
	err := sc.members(func(name string) error {
		switch name {
		case "energy", "gradient", "hessian":
			short = true
		case "return_energy", "return_gradient", "return_hessian":
			long = true
		default:
			return sc.skipValue()
		}
		if short && long {
			return fmt.Errorf("%s: give energy, gradient and hessian or return_energy, return_gradient and return_hessian, not both", name)
		}
		if err := sc.property(&p, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	})
	if err == nil {
		err = sc.end()
	}
	if err == nil && p.ReturnEnergy == nil {
		err = errors.New("no energy")
	}
	return p, err
}

// firstMemberName is the name of the first member of the object in data.
func firstMemberName(data []byte) (string, error) {
	sc := scanner{data: data}
	if err := sc.expect('{'); err != nil {
		return "", err
	}
	return sc.str()
}

// readLines reads one AtomicResult per line.
func (s *componentSet) readLines(path string, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	for k := 1; ; k++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: document %d: %w", path, k, err)
		}
		if err := s.addResult(fmt.Sprintf("%s: document %d", path, k), raw); err != nil {
			return err
		}
	}
}

func (s *componentSet) readDir(read inputReader, dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: no *.json AtomicResult files", dir)
	}
	for _, f := range files {
		data, err := read.read(f)
		if err != nil {
			return err
		}
		if err := s.addResult(f, data); err != nil {
			return err
		}
	}
	return nil
}

// addResult adds one AtomicResult document, by its label id when it has one.
func (s *componentSet) addResult(where string, doc []byte) error {
	var r qcschema.AtomicResult
	if err := json.Unmarshal(doc, &r); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if !r.Success {
		return fmt.Errorf("%s: a failed calculation (success false)", where)
	}
	if _, err := manybody.ParseLabel(r.ID); err == nil {
		return s.addLabeled(where, r.ID, &r)
	}
	s.unlabeled = append(s.unlabeled, &r)
	s.source = append(s.source, where)
	return nil
}

// assemble is the ManyBodyResult of p from the set's results.
func (s *componentSet) assemble(p *computer.Prepared) (*qcschema.ManyBodyResult, error) {
	if s.props != nil {
		var missing []string
		for _, t := range p.Plan.Tasks {
			if _, ok := s.props[t.Label()]; !ok {
				missing = append(missing, t.Label())
			}
		}
		if err := missingError(missing); err != nil {
			return nil, err
		}
		return computer.AssembleProperties(p, s.props)
	}
	results, err := s.resultsFor(p)
	if err != nil {
		return nil, err
	}
	return computer.Assemble(p, results)
}

// missingError names the tasks without a result, the first five of them.
func missingError(missing []string) error {
	if len(missing) == 0 {
		return nil
	}
	more := ""
	if len(missing) > 5 {
		more = fmt.Sprintf(" and %d more", len(missing)-5)
		missing = missing[:5]
	}
	return fmt.Errorf("no result for task %s%s", strings.Join(missing, ", "), more)
}

// resultsFor returns an AtomicResult for every task of p, in plan order.
func (s *componentSet) resultsFor(p *computer.Prepared) ([]*qcschema.AtomicResult, error) {
	byMol := map[string]int{}
	for i, r := range s.unlabeled {
		key := moleculeKey(&r.Molecule)
		if j, dup := byMol[key]; dup {
			return nil, fmt.Errorf("%s and %s hold the same molecule", s.source[j], s.source[i])
		}
		byMol[key] = i
	}
	results := make([]*qcschema.AtomicResult, len(p.Plan.Tasks))
	var missing []string
	for i, t := range p.Plan.Tasks {
		if r, ok := s.byLabel[t.Label()]; ok {
			results[i] = r
			continue
		}
		if len(byMol) > 0 {
			mol, err := p.Core.Molecule(t)
			if err != nil {
				return nil, err
			}
			if j, ok := byMol[moleculeKey(mol)]; ok {
				results[i] = s.unlabeled[j]
				continue
			}
		}
		missing = append(missing, t.Label())
	}
	return results, missingError(missing)
}

// moleculeKey identifies a task's molecule: its atoms in order, which of them are ghosts,
// and coordinates rounded to 1e-6 bohr (programs echo geometry to about 1e-10).
func moleculeKey(m *qcschema.Molecule) string {
	var b strings.Builder
	for i, sym := range m.Symbols {
		b.WriteString(strings.ToLower(sym))
		if !m.IsReal(i) {
			b.WriteByte('@')
		}
		for k := 0; k < 3 && 3*i+k < len(m.Geometry); k++ {
			x := math.Round(m.Geometry[3*i+k] * 1e6)
			if x == 0 {
				x = 0 // no negative zero
			}
			fmt.Fprintf(&b, ",%.0f", x)
		}
		b.WriteByte(';')
	}
	return b.String()
}
