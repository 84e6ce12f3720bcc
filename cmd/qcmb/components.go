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
	"runtime"
	"strings"
	"sync"

	"github.com/valyala/fastjson"

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
	return s.addTask(where, t.Label(), r)
}

// addTask adds the result of the task with canonical label key.
func (s *componentSet) addTask(where, key string, r *qcschema.AtomicResult) error {
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
		return set, set.readDir(path)
	}
	data, err := read(path)
	if err != nil {
		return nil, err
	}
	i := skipSpace(data, 0)
	if i == len(data) {
		return nil, fmt.Errorf("%s: no components", path)
	}
	if data[i] == '[' {
		return set, set.readList(path, data)
	}
	end, err := valueEnd(data, i)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if skipSpace(data, end) < len(data) {
		return set, set.readLines(path, data)
	}
	return set, set.readDict(path, data)
}

// componentKeys are the fields of a component list entry.
var componentKeys = map[string]bool{"mc": true, "real": true, "basis": true, "energy": true, "gradient": true, "hessian": true}

// readList reads a component list, one entry at a time.
func (s *componentSet) readList(path string, data []byte) error {
	// Entries are parsed in batches, each batch on every core at once with a parser per
	// core, and added in order: converting numbers is most of the work.
	const batch = 256
	workers := runtime.GOMAXPROCS(0)
	parsers := make([]fastjson.Parser, workers)
	elems := make([][]byte, 0, batch)
	type parsed struct {
		label string
		r     *qcschema.AtomicResult
		err   error
	}
	out := make([]parsed, batch)
	first := 0 // index of elems[0] in the list
	flush := func() error {
		var wg sync.WaitGroup
		for k := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := k; j < len(elems); j += workers {
					o := &out[j]
					o.label, o.r, o.err = parseComponent(&parsers[k], elems[j])
				}
			}()
		}
		wg.Wait()
		for j := range elems {
			where := func() string { return fmt.Sprintf("%s: components[%d]", path, first+j) }
			if out[j].err != nil {
				return fmt.Errorf("%s: %w", where(), out[j].err)
			}
			if _, dup := s.byLabel[out[j].label]; dup {
				return fmt.Errorf("%s: task %s given twice", where(), out[j].label)
			}
			s.byLabel[out[j].label] = out[j].r
		}
		first += len(elems)
		elems = elems[:0]
		return nil
	}
	err := eachElement(data, func(_ int, elem []byte) error {
		elems = append(elems, elem)
		if len(elems) == batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// parseComponent reads one entry of a component list with p: its task's label and its
// result. A task built from its parts has its canonical label; one that the plan lacks
// (unsorted or invalid fragments) is reported as missing from the plan's side.
func parseComponent(p *fastjson.Parser, elem []byte) (string, *qcschema.AtomicResult, error) {
	v, err := p.ParseBytes(elem)
	if err != nil {
		return "", nil, err
	}
	obj, err := v.Object()
	if err != nil {
		return "", nil, err
	}
	var unknown string
	obj.Visit(func(key []byte, _ *fastjson.Value) {
		if unknown == "" && !componentKeys[string(key)] {
			unknown = string(key)
		}
	})
	if unknown != "" {
		return "", nil, fmt.Errorf("unknown field %q (want mc, real, basis, energy, gradient, hessian)", unknown)
	}
	var t manybody.Task
	t.MC = string(v.GetStringBytes("mc"))
	if t.Real, err = intArray(v, "real"); err != nil {
		return "", nil, err
	}
	if t.Basis, err = intArray(v, "basis"); err != nil {
		return "", nil, err
	}
	r, err := propsFrom(v, "energy", "gradient", "hessian")
	if err != nil {
		return "", nil, err
	}
	return t.Label(), r, nil
}

// propsFrom reads an energy and optional gradient and Hessian from the named fields of v.
func propsFrom(v *fastjson.Value, energy, gradient, hessian string) (*qcschema.AtomicResult, error) {
	e, ok, err := floatField(v, energy)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("no %s", energy)
	}
	g, err := floatArray(v, gradient)
	if err != nil {
		return nil, err
	}
	h, err := floatArray(v, hessian)
	if err != nil {
		return nil, err
	}
	return propsResult(e, g, h), nil
}

// readDict reads QCManyBody's component dictionary, one entry at a time; a document whose
// first member is not a task label is taken as one AtomicResult.
func (s *componentSet) readDict(path string, data []byte) error {
	var p fastjson.Parser
	err := eachMember(data, '{', '}', func(k int, rawKey, value []byte) error {
		label, err := unquote(rawKey)
		if err != nil {
			return err
		}
		if _, err := manybody.ParseLabel(label); err != nil && k == 0 {
			return errNotDict
		}
		where := fmt.Sprintf("%s: %s", path, label)
		v, err := p.ParseBytes(value)
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		var r *qcschema.AtomicResult
		switch v.Type() {
		case fastjson.TypeNumber:
			e, err := v.Float64()
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			r = propsResult(e, nil, nil)
		case fastjson.TypeObject:
			names := [3]string{"energy", "gradient", "hessian"}
			if v.Get("energy") == nil && v.Get("return_energy") != nil {
				names = [3]string{"return_energy", "return_gradient", "return_hessian"}
			}
			if r, err = propsFrom(v, names[0], names[1], names[2]); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
		default:
			return fmt.Errorf("%s: want an energy or {\"energy\", \"gradient\", \"hessian\"}", where)
		}
		return s.addLabeled(where, label, r)
	})
	if err == errNotDict {
		return s.addResult(path, data)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// errNotDict stops reading a document as a component dictionary.
var errNotDict = errors.New("not a component dictionary")

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
