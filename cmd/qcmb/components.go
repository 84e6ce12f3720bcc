package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// componentJSON is one entry of a component list: a fragment result as the test vectors
// carry it (gradient natom x 3 rows, Hessian 3n x 3n rows; flat arrays are accepted too).
type componentJSON struct {
	MC       string    `json:"mc"`
	Real     []int     `json:"real"`
	Basis    []int     `json:"basis"`
	Energy   *float64  `json:"energy"`
	Gradient flexArray `json:"gradient,omitempty"`
	Hessian  flexArray `json:"hessian,omitempty"`
}

// flexArray decodes a nested or flat number array into one flat slice.
type flexArray []float64

func (a *flexArray) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*a = nil
		return nil
	}
	flat, err := qcschema.UnmarshalFlat(data)
	if err != nil {
		return err
	}
	*a = flat
	return nil
}

// labelProps is the value of one entry of QCManyBody's component dictionary: the
// properties of one task, as ManyBodyCore.analyze takes them. The return_* names of
// AtomicResultProperties (a ManyBodyResult's component_properties) are read too.
type labelProps struct {
	Energy         *float64  `json:"energy"`
	Gradient       flexArray `json:"gradient"`
	Hessian        flexArray `json:"hessian"`
	ReturnEnergy   *float64  `json:"return_energy"`
	ReturnGradient flexArray `json:"return_gradient"`
	ReturnHessian  flexArray `json:"return_hessian"`
}

// componentSet holds fragment results keyed by task label, with AtomicResults that carry
// no label kept apart to be matched to tasks by their molecule.
type componentSet struct {
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
func readComponents(path string) (*componentSet, error) {
	set := &componentSet{byLabel: map[string]*qcschema.AtomicResult{}}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return set, set.readDir(path)
	}
	data, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var docs []json.RawMessage
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", path, len(docs)+1, err)
		}
		docs = append(docs, raw)
	}
	switch {
	case len(docs) == 0:
		return nil, fmt.Errorf("%s: no components", path)
	case len(docs) > 1:
		for i, d := range docs {
			if err := set.addResult(fmt.Sprintf("%s: line %d", path, i+1), d); err != nil {
				return nil, err
			}
		}
		return set, nil
	}
	doc := bytes.TrimSpace(docs[0])
	if doc[0] == '[' {
		var comps []componentJSON
		if err := json.Unmarshal(doc, &comps); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return set, set.addList(path, comps)
	}
	if isAtomicResult(doc) {
		return set, set.addResult(path, doc)
	}
	return set, set.addDict(path, doc)
}

// readLimited reads path ("-" for standard input).
func readLimited(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(path)
}

func isAtomicResult(doc []byte) bool {
	var head struct {
		SchemaName string `json:"schema_name"`
	}
	_ = json.Unmarshal(doc, &head)
	return head.SchemaName == qcschema.SchemaOutput || head.SchemaName == "qcschema_atomic_result"
}

func (s *componentSet) addList(path string, comps []componentJSON) error {
	for i, c := range comps {
		where := fmt.Sprintf("%s: components[%d]", path, i)
		if c.Energy == nil {
			return fmt.Errorf("%s: no energy", where)
		}
		label := manybody.Task{MC: c.MC, Real: c.Real, Basis: c.Basis}.Label()
		if err := s.addLabeled(where, label, propsResult(*c.Energy, c.Gradient, c.Hessian)); err != nil {
			return err
		}
	}
	return nil
}

func (s *componentSet) addDict(path string, doc []byte) error {
	var dict map[string]json.RawMessage
	if err := json.Unmarshal(doc, &dict); err != nil {
		return fmt.Errorf("%s: want a component list, a label-keyed component dictionary or AtomicResults: %w", path, err)
	}
	labels := make([]string, 0, len(dict))
	for l := range dict {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, label := range labels {
		where := fmt.Sprintf("%s: %s", path, label)
		raw := bytes.TrimSpace(dict[label])
		var r *qcschema.AtomicResult
		if len(raw) > 0 && raw[0] != '{' {
			e, err := strconv.ParseFloat(string(raw), 64)
			if err != nil {
				return fmt.Errorf("%s: want an energy or {\"energy\", \"gradient\", \"hessian\"}: %w", where, err)
			}
			r = propsResult(e, nil, nil)
		} else {
			var p labelProps
			if err := json.Unmarshal(raw, &p); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			e := p.Energy
			if e == nil {
				e = p.ReturnEnergy
			}
			if e == nil {
				return fmt.Errorf("%s: no energy", where)
			}
			r = propsResult(*e, firstNonNil(p.Gradient, p.ReturnGradient), firstNonNil(p.Hessian, p.ReturnHessian))
		}
		if err := s.addLabeled(where, label, r); err != nil {
			return err
		}
	}
	return nil
}

func firstNonNil(a, b []float64) []float64 {
	if a != nil {
		return a
	}
	return b
}

// propsResult wraps given properties in a successful AtomicResult.
func propsResult(e float64, grad, hess []float64) *qcschema.AtomicResult {
	return &qcschema.AtomicResult{
		SchemaName: qcschema.SchemaOutput, SchemaVersion: 1, Success: true,
		Properties: qcschema.AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: grad, ReturnHessian: hess},
	}
}

func (s *componentSet) readDir(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: no *.json AtomicResult files", dir)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
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

// resultsFor returns a result for every task of p, in plan order.
func (s *componentSet) resultsFor(p *computer.Prepared) ([]*qcschema.AtomicResult, error) {
	byMol := map[string]int{}
	for i, r := range s.unlabeled {
		key := moleculeKey(&r.Molecule)
		if j, dup := byMol[key]; dup {
			return nil, fmt.Errorf("%s and %s hold the same molecule", s.source[j], s.source[i])
		}
		byMol[key] = i
	}
	results := make([]*qcschema.AtomicResult, len(p.Tasks))
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
	if len(missing) > 0 {
		more := ""
		if len(missing) > 5 {
			more = fmt.Sprintf(" and %d more", len(missing)-5)
			missing = missing[:5]
		}
		return nil, fmt.Errorf("no result for task %s%s", strings.Join(missing, ", "), more)
	}
	return results, nil
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
