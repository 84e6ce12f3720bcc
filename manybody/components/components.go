package components

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/qcmb-go/qcmb/internal/infile"
	"github.com/qcmb-go/qcmb/internal/jsontext"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// DefaultMaxBytes is the largest input Read and ReadFile read unless told otherwise
// (MaxBytes): far above any real component file, and a bound on what reading /dev/zero or
// a runaway pipe can take.
const DefaultMaxBytes = 1 << 30

// Option configures Read and ReadFile.
type Option func(*options)

type options struct {
	maxBytes int64
}

// MaxBytes bounds the bytes read from one input (each file of a directory apart). A
// larger one is an error, and nothing is parsed.
func MaxBytes(n int64) Option { return func(o *options) { o.maxBytes = n } }

func optionsOf(opts []Option) options {
	o := options{maxBytes: DefaultMaxBytes}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Entry is one entry of a component list, as qcmb store export writes it: a fragment
// result with flat gradient and Hessian arrays (Read takes nested rows too).
type Entry struct {
	MC       string    `json:"mc"`
	Real     []int     `json:"real"`
	Basis    []int     `json:"basis"`
	Energy   *float64  `json:"energy"`
	Gradient []float64 `json:"gradient,omitempty"`
	Hessian  []float64 `json:"hessian,omitempty"`
}

// Set is the fragment results of a component file, one for every task of a plan.
type Set struct {
	// Properties holds the results of a component list or dictionary by task label. It
	// may hold tasks outside the plan too; Assemble leaves them out.
	Properties map[string]qcschema.AtomicResultProperties
	// Results holds the results given as AtomicResults, one per task of the plan, in plan
	// order (nil for a component list or dictionary).
	Results []*qcschema.AtomicResult
}

// Assemble is the ManyBodyResult of p from the results, for the plan they were read for.
// Properties are used as computer.AssembleProperties uses them, so they must not be
// changed afterwards.
func (s *Set) Assemble(p *computer.Prepared) (*qcschema.ManyBodyResult, error) {
	if s.Results != nil {
		return computer.Assemble(p, s.Results)
	}
	return computer.AssembleProperties(p, s.Properties)
}

// Read reads component results from r in any form but a directory (a component list or
// dictionary, JSON lines of AtomicResults, or one AtomicResult) and matches them to the
// tasks of p (computer.PreparePlan gives one without building task payloads). A task
// without a result is an error naming it; for an adaptive expansion, whose plan is an upper
// bound, Set.Assemble names the tasks its decisions release without one.
func Read(ctx context.Context, r io.Reader, p *computer.Prepared, opts ...Option) (*Set, error) {
	data, err := infile.ReadAll(ctx, r, infile.Size(optionsOf(opts).maxBytes), 0)
	if err != nil {
		return nil, err
	}
	var rd reader
	if err := rd.parse(ctx, "", data); err != nil {
		return nil, err
	}
	return rd.match(p)
}

// ReadFile reads component results from the file at path, or from the AtomicResult
// *.json files of the directory at path, as Read does, naming the file in errors.
func ReadFile(ctx context.Context, path string, p *computer.Prepared, opts ...Option) (*Set, error) {
	limit := infile.Size(optionsOf(opts).maxBytes)
	var rd reader
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		if err := rd.readDir(ctx, path, limit); err != nil {
			return nil, err
		}
		return rd.match(p)
	}
	data, err := infile.ReadFile(ctx, path, limit)
	if err != nil {
		return nil, err
	}
	if err := rd.parse(ctx, path, data); err != nil {
		return nil, err
	}
	return rd.match(p)
}

// reader collects fragment results: the properties of a component list or dictionary, or
// AtomicResult documents by task label or, without one, kept apart to be matched to tasks
// by their molecule.
type reader struct {
	// props holds the entries of a component list or dictionary by canonical task label.
	props map[string]qcschema.AtomicResultProperties
	// byLabel holds the AtomicResults whose id is a task label.
	byLabel   map[string]*qcschema.AtomicResult
	unlabeled []*qcschema.AtomicResult
	// source names where each unlabeled result came from, for errors.
	source []string
}

// in names where in errors: "name: " before err, or err alone for a nameless input.
func in(name string, err error) error {
	if err == nil || name == "" {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// parse reads the components in data, the contents of the input called name. Text that is
// no JSON is reported at its line and column: the fast readers only check what they read
// and name entries, so where it is first is found again when reading failed.
func (r *reader) parse(ctx context.Context, name string, data []byte) error {
	err := r.parseForm(ctx, name, data)
	if err != nil && ctx.Err() == nil {
		if se := jsontext.CheckSyntaxStream(name, data); se != nil {
			return se
		}
	}
	return err
}

// parseForm reads the components in data in the form its first value has.
func (r *reader) parseForm(ctx context.Context, name string, data []byte) error {
	i := jsontext.SkipSpace(data, 0)
	if i == len(data) {
		return in(name, errors.New("no components"))
	}
	if data[i] == '[' {
		return in(name, r.readList(ctx, data))
	}
	end, err := jsontext.ValueEnd(data, i)
	if err != nil {
		return in(name, err)
	}
	if jsontext.SkipSpace(data, end) < len(data) {
		return r.readLines(name, data)
	}
	return r.readDict(ctx, name, data)
}

// readList reads a component list.
func (r *reader) readList(ctx context.Context, data []byte) error {
	r.props = map[string]qcschema.AtomicResultProperties{}
	return parseMembers(ctx, data, '[', ']', func(_, elem []byte) (labeled, error) {
		return parseComponent(elem)
	}, func(k int, _ []byte, c labeled) error {
		if _, dup := r.props[c.label]; dup {
			return fmt.Errorf("components[%d]: task %s given twice", k, c.label)
		}
		r.props[c.label] = c.props
		return nil
	}, func(k int, _ []byte) string { return fmt.Sprintf("components[%d]", k) })
}

// readDict reads QCManyBody's component dictionary (see parseDictEntry). A document whose
// first member's name does not start as a task label does ([ or §) is taken as one
// AtomicResult.
func (r *reader) readDict(ctx context.Context, name string, data []byte) error {
	if first, err := firstMemberName(data); err == nil {
		// A label (even a bad one, reported as such) starts with [ or §; no member of an
		// AtomicResult does.
		if first = strings.TrimSpace(first); !strings.HasPrefix(first, "[") && !strings.HasPrefix(first, "§") {
			return r.addResult(name, data)
		}
	}
	r.props = map[string]qcschema.AtomicResultProperties{}
	err := parseMembers(ctx, data, '{', '}', func(rawKey, value []byte) (labeled, error) {
		sc := jsontext.NewScanner(rawKey)
		label, err := sc.Str() // strictly: a name that is no text is an error, not U+FFFD
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
		if _, dup := r.props[c.label]; dup {
			return fmt.Errorf("%s: task %s given twice", rawKey, c.label)
		}
		r.props[c.label] = c.props
		return nil
	}, func(_ int, rawKey []byte) string { return string(rawKey) })
	return in(name, err)
}

// readLines reads one AtomicResult per line.
func (r *reader) readLines(name string, data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	for k := 1; ; k++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			return nil
		} else if err != nil {
			return in(name, fmt.Errorf("document %d: %w", k, err))
		}
		if err := r.addResult(in(name, fmt.Errorf("document %d", k)).Error(), raw); err != nil {
			return err
		}
	}
}

// readDir reads the AtomicResult *.json files of dir.
func (r *reader) readDir(ctx context.Context, dir string, limit infile.Size) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: no *.json AtomicResult files", dir)
	}
	for _, f := range files {
		data, err := infile.ReadFile(ctx, f, limit)
		if err != nil {
			return err
		}
		if err := r.addResult(f, data); err != nil {
			if se := jsontext.CheckSyntax(f, data); se != nil {
				return se
			}
			return err
		}
	}
	return nil
}

// addResult adds one AtomicResult document, by its label id when it has one; where names
// it in errors.
func (r *reader) addResult(where string, doc []byte) error {
	if err := qcschema.CheckDepth(doc, qcschema.MaxDepth); err != nil {
		return in(where, err)
	}
	if err := jsontext.CheckStrings(doc); err != nil {
		return in(where, err)
	}
	var res qcschema.AtomicResult
	if err := json.Unmarshal(doc, &res); err != nil {
		return in(where, err)
	}
	if !res.Success {
		return in(where, errors.New("a failed calculation (success false)"))
	}
	t, err := manybody.ParseLabel(res.ID)
	if err != nil {
		r.unlabeled = append(r.unlabeled, &res)
		r.source = append(r.source, where)
		return nil
	}
	if r.byLabel == nil {
		r.byLabel = map[string]*qcschema.AtomicResult{}
	}
	key := t.Label()
	if _, dup := r.byLabel[key]; dup {
		return in(where, fmt.Errorf("task %s given twice", key))
	}
	r.byLabel[key] = &res
	return nil
}

// match is the Set of results for the tasks of p, or an error naming the tasks without
// one.
//
// The plan of an adaptive expansion (energy screening) is an upper bound: results may be
// missing for the tasks its decisions never release, and Set.Assemble names any released
// task without one.
func (r *reader) match(p *computer.Prepared) (*Set, error) {
	adaptive := p.Core.Adaptive()
	if r.props != nil {
		var missing []string
		for _, t := range p.Plan.Tasks {
			if _, ok := r.props[t.Label()]; !ok {
				missing = append(missing, t.Label())
			}
		}
		if err := missingError(missing); err != nil && !adaptive {
			return nil, err
		}
		return &Set{Properties: r.props}, nil
	}
	results, err := r.resultsFor(p)
	if err != nil && !(adaptive && errors.Is(err, errMissing)) {
		return nil, err
	}
	return &Set{Results: results}, nil
}

// errMissing is wrapped by the error naming tasks without a result.
var errMissing = errors.New("no result")

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
	return fmt.Errorf("%w for task %s%s", errMissing, strings.Join(missing, ", "), more)
}

// resultsFor returns an AtomicResult for every task of p, in plan order.
func (r *reader) resultsFor(p *computer.Prepared) ([]*qcschema.AtomicResult, error) {
	byMol := map[string]int{}
	for i, res := range r.unlabeled {
		key := moleculeKey(&res.Molecule)
		if j, dup := byMol[key]; dup {
			return nil, fmt.Errorf("%s and %s hold the same molecule", r.source[j], r.source[i])
		}
		byMol[key] = i
	}
	results := make([]*qcschema.AtomicResult, len(p.Plan.Tasks))
	var missing []string
	for i, t := range p.Plan.Tasks {
		if res, ok := r.byLabel[t.Label()]; ok {
			results[i] = res
			continue
		}
		if len(byMol) > 0 {
			mol, err := p.Core.Molecule(t)
			if err != nil {
				return nil, err
			}
			if j, ok := byMol[moleculeKey(mol)]; ok {
				results[i] = r.unlabeled[j]
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
