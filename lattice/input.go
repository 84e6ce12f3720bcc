package lattice

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/qcmb-go/qcmb/internal/jsontext"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Input is a CrystaLattE calculation: the keywords of its .cle file, under the same names
// in the JSON form. Zero values are not defaults: start from DefaultInput, as ReadInput
// does.
type Input struct {
	// CIF is the crystal's CIF file (cif_input); relative paths are relative to Dir.
	CIF string `json:"cif_input"`
	// XYZ, when set, is where the supercell is written as an XYZ file (cif_output).
	XYZ string `json:"cif_output,omitempty"`
	// CellsA, CellsB and CellsC are the numbers of unit cells of the supercell along a, b
	// and c (cif_a, cif_b, cif_c); 0 sizes that direction from the monomer cutoff. Even
	// counts are made odd, as CrystaLattE does, so that the central cell is in the middle.
	CellsA int `json:"cif_a"`
	CellsB int `json:"cif_b"`
	CellsC int `json:"cif_c"`
	// NmersUpTo is the largest n-mer order, 2 to 5 (nmers_up_to).
	NmersUpTo int `json:"nmers_up_to"`
	// BFSThreshold scales the block size of the bond search (bfs_thresh).
	BFSThreshold float64 `json:"bfs_thresh"`
	// UniqFilter tells duplicate n-mers apart: "ChSEV" (chemical-space eigenvalues) or
	// "Dreamaligner" (RMSD after alignment, mirror images included).
	UniqFilter string `json:"uniq_filter"`
	// Cutoffs in ångström: r_cut_com (largest distance between monomer centres of mass
	// in any n-mer), r_cut_monomer (monomers kept around the centre of the supercell; 0
	// picks it from the largest n-mer cutoff) and r_cut_dimer ... r_cut_pentamer (largest
	// closest-atom distance between the monomers of a dimer ... pentamer).
	RCutCOM      float64 `json:"r_cut_com"`
	RCutMonomer  float64 `json:"r_cut_monomer"`
	RCutDimer    float64 `json:"r_cut_dimer"`
	RCutTrimer   float64 `json:"r_cut_trimer"`
	RCutTetramer float64 `json:"r_cut_tetramer"`
	RCutPentamer float64 `json:"r_cut_pentamer"`
	// RunType are the modes of cle_run_type ("psi4api + quiet" is [psi4api quiet]):
	// with "test" the n-mers are only enumerated, with any other the energies are
	// computed (psi4api, psithon, qcmanybody, ... all mean the same to qcmb).
	RunType []string `json:"cle_run_type"`
	// Method is METHOD/BASIS (psi4_method).
	Method string `json:"psi4_method"`
	// BSSE is the counterpoise treatment: cp, nocp or vmfc (psi4_bsse).
	BSSE string `json:"psi4_bsse"`
	// Memory is Psi4's memory (psi4_memory), e.g. "500 MB".
	Memory string `json:"psi4_memory"`
	// Verbose is CrystaLattE's printing level: 0 prints nothing, 1 the summary table,
	// 2 also what the enumeration found.
	Verbose int `json:"verbose"`

	// Program is the program that computes the fragment energies (qcmb only; "" lets
	// ChooseProgram pick).
	Program string `json:"program,omitempty"`
	// Keywords are the program's keywords (qcmb only; nil gives ProgramKeywords').
	Keywords map[string]any `json:"keywords,omitempty"`
	// CellUncertainty says how a cell length or angle written with a standard
	// uncertainty, such as 11.938(1), is read (qcmb only): CellCrystaLattE (the default)
	// as CrystaLattE reads it, 11.9381, so that its n-mers and energies come out; CellCIF
	// as CIF means it, 11.938.
	CellUncertainty string `json:"cell_uncertainty,omitempty"`

	// Dir is the directory relative paths are relative to: the input file's.
	Dir string `json:"-"`
}

// DefaultInput returns CrystaLattE's defaults (its input_parser): dimers, automatic
// supercell and monomer cutoff, r_cut_com 90, r_cut_dimer 10, r_cut_trimer 8,
// r_cut_tetramer 6, r_cut_pentamer 4 Å, run type test, HF/STO-3G with cp, 500 MB,
// verbose 1, the ChSEV filter and bfs_thresh 1.2.
func DefaultInput() Input {
	return Input{
		NmersUpTo: 2, BFSThreshold: 1.2, UniqFilter: FilterChSEV,
		RCutCOM: 90, RCutDimer: 10, RCutTrimer: 8, RCutTetramer: 6, RCutPentamer: 4,
		RunType: []string{"test"}, Method: "HF/STO-3G", BSSE: "cp", Memory: "500 MB", Verbose: 1,
		CellUncertainty: CellCrystaLattE,
	}
}

// The duplicate filters of uniq_filter.
const (
	FilterChSEV        = "ChSEV"
	FilterDreamaligner = "Dreamaligner"
)

// TestOnly reports whether the run type asks for the enumeration only (test mode).
func (in *Input) TestOnly() bool { return slices.Contains(in.RunType, "test") }

// cells points at CellsA, CellsB and CellsC.
func (in *Input) cells() [3]*int { return [3]*int{&in.CellsA, &in.CellsB, &in.CellsC} }

// Path resolves a path of the input against its directory.
func (in *Input) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || in.Dir == "" {
		return p
	}
	return filepath.Join(in.Dir, p)
}

// Model is Method as a QCSchema model: the method and the basis.
func (in *Input) Model() qcschema.Model {
	m, b, _ := strings.Cut(in.Method, "/")
	return qcschema.Model{Method: strings.TrimSpace(m), Basis: strings.TrimSpace(b)}
}

// InputError is an input that cannot be run: File and Line say where (Line 0 for the
// input as a whole), Keyword which keyword.
type InputError struct {
	File string
	// Line and Column (1-based, 0 when unknown) locate the problem in File.
	Line, Column int
	Keyword      string
	Msg          string
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString("lattice: ")
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
		b.WriteString(": ")
	}
	if e.Keyword != "" {
		b.WriteString(e.Keyword + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// keywordKind is how a keyword's value is read.
type keywordKind int

const (
	kwString keywordKind = iota
	kwInt
	kwCells
	kwFloat
	kwRunType
)

// keywords are CrystaLattE's, with how each is read.
var keywords = map[string]keywordKind{
	"cif_input": kwString, "cif_output": kwString,
	"cif_a": kwCells, "cif_b": kwCells, "cif_c": kwCells,
	"nmers_up_to": kwInt, "verbose": kwInt,
	"bfs_thresh": kwFloat, "r_cut_com": kwFloat, "r_cut_monomer": kwFloat, "r_cut_dimer": kwFloat,
	"r_cut_trimer": kwFloat, "r_cut_tetramer": kwFloat, "r_cut_pentamer": kwFloat,
	"uniq_filter": kwString, "cle_run_type": kwRunType,
	"psi4_method": kwString, "psi4_bsse": kwString, "psi4_memory": kwString,
}

// jsonOnly are the keys of the JSON form that a .cle file does not have.
var jsonOnly = []string{"program", "keywords", "cell_uncertainty"}

// The readings of a cell parameter with a standard uncertainty (Input.CellUncertainty).
const (
	// CellCrystaLattE reads 11.938(1) as 11.9381, deleting the parentheses as CrystaLattE
	// does.
	CellCrystaLattE = "crystalatte"
	// CellCIF reads 11.938(1) as 11.938, the value whose last digit has the uncertainty 1.
	CellCIF = "cif"
)

func keywordNames(extra ...string) []string {
	names := make([]string, 0, len(keywords)+len(extra))
	for k := range keywords {
		names = append(names, k)
	}
	names = append(names, extra...)
	sort.Strings(names)
	return names
}

func unknownKeyword(name string, known []string) string {
	if s := qcschema.ClosestName(name, known); s != "" {
		return fmt.Sprintf("unknown keyword %s (did you mean %q?)", qcschema.Quote(name), s)
	}
	return fmt.Sprintf("unknown keyword %s (known: %s)", qcschema.Quote(name), strings.Join(known, ", "))
}

// ReadInput reads a .cle keyword file, or the JSON form when the name ends in .json, and
// checks it (Validate). Relative paths in it are relative to its directory.
func ReadInput(path string) (*Input, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseInput(data, path)
}

// ParseInput reads an input file's contents: the JSON form when name ends in .json, a
// .cle keyword file otherwise.
func ParseInput(data []byte, name string) (*Input, error) {
	if strings.EqualFold(filepath.Ext(name), ".json") {
		return ParseJSON(data, name)
	}
	return ParseCLE(bytes.NewReader(data), name)
}

// ParseCLE reads a CrystaLattE .cle keyword file by its rules: "keyword = value" lines,
// everything after a # is a comment, blank lines are skipped, keyword names are
// case-insensitive and values are trimmed; cle_run_type is lower-cased with its modes
// joined by +. name is the file's path: its directory is Dir and it prefixes errors,
// which name the line.
func ParseCLE(r io.Reader, name string) (*Input, error) {
	in := DefaultInput()
	in.Dir = filepath.Dir(name)
	seen := map[string]int{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	known := keywordNames()
	for sc.Scan() {
		line++
		text, _, _ := strings.Cut(sc.Text(), "#")
		if strings.TrimSpace(text) == "" {
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		bad := func(kw, format string, args ...any) error {
			return &InputError{File: name, Line: line, Keyword: kw, Msg: fmt.Sprintf(format, args...)}
		}
		if !ok {
			return nil, bad("", "%s: want keyword = value", excerpt(strings.TrimSpace(text)))
		}
		if strings.Contains(value, "=") {
			return nil, bad("", "%s: one = per line", excerpt(strings.TrimSpace(text)))
		}
		key = strings.ToLower(strings.TrimSpace(key))
		kind, ok := keywords[key]
		if !ok {
			return nil, bad("", "%s", unknownKeyword(key, known))
		}
		if prev, dup := seen[key]; dup {
			return nil, bad(key, "given twice (also line %d)", prev)
		}
		seen[key] = line
		if err := in.set(key, kind, value); err != nil {
			return nil, bad(key, "%v", err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &InputError{File: name, Line: line + 1, Msg: err.Error()}
	}
	if err := in.Validate(); err != nil {
		return nil, withFile(err, name)
	}
	return &in, nil
}

// ParseJSON reads the JSON form of an input: an object with the .cle keywords as
// members (numbers as JSON numbers, cle_run_type a string or a list of modes), plus
// "program" and "keywords" (the program's keywords, an object). Members not given keep
// their defaults; an unknown member is an error.
func ParseJSON(data []byte, name string) (*Input, error) {
	in := DefaultInput()
	in.Dir = filepath.Dir(name)
	bad := func(kw, format string, args ...any) error {
		return &InputError{File: name, Keyword: kw, Msg: fmt.Sprintf(format, args...)}
	}
	var se *jsontext.SyntaxError
	if errors.As(jsontext.CheckSyntax(name, data), &se) {
		return nil, &InputError{File: name, Line: se.Line, Column: se.Column, Msg: se.Msg}
	}
	if err := qcschema.CheckDepth(data, qcschema.MaxDepth); err != nil {
		return nil, bad("", "%v", err)
	}
	var members map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&members); err != nil {
		return nil, bad("", "not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, bad("", "data after the JSON object")
	}
	names := make([]string, 0, len(members))
	for k := range members {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, key := range names {
		raw := members[key]
		switch key {
		case "program":
			if err := json.Unmarshal(raw, &in.Program); err != nil {
				return nil, bad(key, "want a string")
			}
			continue
		case "keywords":
			if err := json.Unmarshal(raw, &in.Keywords); err != nil || in.Keywords == nil {
				return nil, bad(key, "want an object of program keywords")
			}
			continue
		case "cell_uncertainty":
			if err := json.Unmarshal(raw, &in.CellUncertainty); err != nil {
				return nil, bad(key, "want %q or %q", CellCrystaLattE, CellCIF)
			}
			continue
		}
		kind, ok := keywords[key]
		if !ok {
			return nil, bad("", "%s", unknownKeyword(key, keywordNames(jsonOnly...)))
		}
		text, err := jsonText(raw, kind)
		if err != nil {
			return nil, bad(key, "%v", err)
		}
		if err := in.set(key, kind, text); err != nil {
			return nil, bad(key, "%v", err)
		}
	}
	if err := in.Validate(); err != nil {
		return nil, withFile(err, name)
	}
	return &in, nil
}

// jsonText turns a JSON member into the text a .cle file would give, after checking its
// JSON type against the keyword's.
func jsonText(raw json.RawMessage, kind keywordKind) (string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	switch x := v.(type) {
	case json.Number:
		if kind == kwString || kind == kwRunType {
			return "", errors.New("want a string")
		}
		return x.String(), nil
	case string:
		if kind != kwString && kind != kwRunType {
			return "", errors.New("want a number")
		}
		return x, nil
	case []any:
		if kind != kwRunType {
			break
		}
		modes := make([]string, len(x))
		for i, m := range x {
			s, ok := m.(string)
			if !ok {
				return "", errors.New("want a list of run modes (strings)")
			}
			modes[i] = s
		}
		return strings.Join(modes, "+"), nil
	}
	if kind == kwString || kind == kwRunType {
		return "", errors.New("want a string")
	}
	return "", errors.New("want a number")
}

// set reads one keyword's value as CrystaLattE's input_parser does.
func (in *Input) set(key string, kind keywordKind, value string) error {
	switch kind {
	case kwString:
		v := strings.TrimSpace(value)
		switch key {
		case "cif_input":
			in.CIF = v
		case "cif_output":
			in.XYZ = v
		case "uniq_filter":
			in.UniqFilter = v
		case "psi4_method":
			in.Method = v
		case "psi4_bsse":
			in.BSSE = v
		case "psi4_memory":
			in.Memory = v
		}
	case kwRunType:
		v := strings.ReplaceAll(strings.ToLower(value), " ", "")
		v = strings.ReplaceAll(v, "\t", "")
		in.RunType = strings.Split(v, "+")
	case kwInt, kwCells:
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil {
			return fmt.Errorf("%s is not an integer", excerpt(strings.TrimSpace(value)))
		}
		switch key {
		case "nmers_up_to":
			in.NmersUpTo = n
		case "verbose":
			in.Verbose = n
		default:
			if n < 0 {
				return fmt.Errorf("%d: want a number of cells >= 0 (0 sizes it from the cutoffs)", n)
			}
			if n != 0 && n%2 == 0 {
				n++ // CrystaLattE keeps the reference cell in the middle
			}
			*in.cells()[key[len(key)-1]-'a'] = n
		}
	case kwFloat:
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s is not a finite number", excerpt(strings.TrimSpace(value)))
		}
		if f < 0 {
			return fmt.Errorf("%v: want a number >= 0", f)
		}
		switch key {
		case "bfs_thresh":
			in.BFSThreshold = f
		case "r_cut_com":
			in.RCutCOM = f
		case "r_cut_monomer":
			in.RCutMonomer = f
		case "r_cut_dimer":
			in.RCutDimer = f
		case "r_cut_trimer":
			in.RCutTrimer = f
		case "r_cut_tetramer":
			in.RCutTetramer = f
		case "r_cut_pentamer":
			in.RCutPentamer = f
		}
	}
	return nil
}

// runModes are CrystaLattE's cle_run_type modes.
var runModes = []string{"custom", "libefpmbe", "makefp", "psi4api", "psithon", "qcmanybody", "quiet", "test", "timings"}

// Warnings are remarks about an input that runs but may not do what was meant: run types
// that are not CrystaLattE's (which compute energies, as CrystaLattE's own fallback does).
func (in *Input) Warnings() []string {
	var out []string
	for _, m := range in.RunType {
		if !slices.Contains(runModes, m) {
			w := fmt.Sprintf("cle_run_type %s is not one of CrystaLattE's modes; the energies are computed", excerpt(m))
			if s := qcschema.ClosestName(m, runModes); s != "" {
				w += fmt.Sprintf(" (did you mean %q?)", s)
			}
			out = append(out, w)
		}
	}
	return out
}

// Validate checks the input as CrystaLattE does before any work, and normalizes the
// spelling of uniq_filter, psi4_bsse and psi4_method's basis.
func (in *Input) Validate() error {
	bad := func(kw, format string, args ...any) error {
		return &InputError{Keyword: kw, Msg: fmt.Sprintf(format, args...)}
	}
	if in.CIF == "" {
		return bad("cif_input", "no CIF file given")
	}
	if !strings.EqualFold(filepath.Ext(in.CIF), ".cif") {
		return bad("cif_input", "%s: want a file name ending in .cif", excerpt(in.CIF))
	}
	if in.XYZ != "" && !strings.EqualFold(filepath.Ext(in.XYZ), ".xyz") {
		return bad("cif_output", "%s: want a file name ending in .xyz (the supercell is written as XYZ)", excerpt(in.XYZ))
	}
	if in.NmersUpTo < 2 || in.NmersUpTo > 5 {
		return bad("nmers_up_to", "%d: want 2 (dimers) to 5 (pentamers)", in.NmersUpTo)
	}
	for i, c := range in.cells() {
		if *c < 0 {
			return bad(fmt.Sprintf("cif_%c", 'a'+i), "%d: want a number of cells >= 0", *c)
		}
	}
	for _, f := range []struct {
		kw string
		v  float64
	}{{"bfs_thresh", in.BFSThreshold}, {"r_cut_com", in.RCutCOM}, {"r_cut_monomer", in.RCutMonomer},
		{"r_cut_dimer", in.RCutDimer}, {"r_cut_trimer", in.RCutTrimer}, {"r_cut_tetramer", in.RCutTetramer},
		{"r_cut_pentamer", in.RCutPentamer}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return bad(f.kw, "%v: want a finite number >= 0", f.v)
		}
	}
	if in.BFSThreshold == 0 {
		return bad("bfs_thresh", "0: want a positive number")
	}
	switch strings.ToLower(in.CellUncertainty) {
	case "", CellCrystaLattE:
		in.CellUncertainty = CellCrystaLattE
	case CellCIF:
		in.CellUncertainty = CellCIF
	default:
		return bad("cell_uncertainty", "%s: want %q or %q", excerpt(in.CellUncertainty), CellCrystaLattE, CellCIF)
	}
	switch {
	case strings.EqualFold(in.UniqFilter, FilterChSEV):
		in.UniqFilter = FilterChSEV
	case strings.EqualFold(in.UniqFilter, FilterDreamaligner):
		in.UniqFilter = FilterDreamaligner
	default:
		return bad("uniq_filter", "%s: want ChSEV or Dreamaligner", excerpt(in.UniqFilter))
	}
	if len(in.RunType) == 0 || slices.Contains(in.RunType, "") {
		return bad("cle_run_type", "%s: an empty run type", excerpt(strings.Join(in.RunType, "+")))
	}
	in.BSSE = strings.ToLower(strings.TrimSpace(in.BSSE))
	if in.BSSE != "cp" && in.BSSE != "nocp" && in.BSSE != "vmfc" {
		return bad("psi4_bsse", "%s: want cp, nocp or vmfc", excerpt(in.BSSE))
	}
	method, basis, ok := strings.Cut(in.Method, "/")
	method, basis = strings.TrimSpace(method), strings.TrimSpace(basis)
	switch {
	case strings.ContainsAny(in.Method, "[]:+"):
		return bad("psi4_method", "%s: basis-set extrapolations and composite methods are not supported; give one METHOD/BASIS", excerpt(in.Method))
	case !ok || method == "" || basis == "" || strings.Contains(basis, "/"):
		return bad("psi4_method", "%s: want METHOD/BASIS, such as MP2/aug-cc-pVDZ", excerpt(in.Method))
	case strings.Contains(strings.ToLower(method), "sapt"):
		return bad("psi4_method", "%s: SAPT is not a many-body expansion method; qcmb computes supermolecular n-body energies", excerpt(in.Method))
	}
	in.Method = method + "/" + basis
	return nil
}

// withFile puts the input file's name on a validation error.
func withFile(err error, name string) error {
	var ie *InputError
	if errors.As(err, &ie) && ie.File == "" {
		c := *ie
		c.File = name
		return &c
	}
	return err
}

// excerpt quotes s for an error message, shortened when long.
func excerpt(s string) string { return strconv.Quote(qcschema.Excerpt(s, 60)) }
