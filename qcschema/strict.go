package qcschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/qcmb-go/qcmb/internal/jsontext"
)

// Inputs are strict, as QCManyBody's and QCElemental's models (extra="forbid") make them:
// a member a document's schema does not define, a key given twice in one object, and a
// schema_name or schema_version of another document type are errors that name the field
// by its JSON path. encoding/json alone would drop unknown members silently, match
// member names case-insensitively and let the last of two equal keys win, so a typo such
// as "bsse_typo" ran with defaults.
//
// checkMembers walks the raw document once, without decoding values, against a shape that
// lists the members each object may have; the typed decode follows.

// UnknownFieldError is a member that the document's schema does not define. Path is its
// JSON path ("specification.keywords.bsse_typo"); Suggestion is the closest known member
// name when one is close (else empty).
type UnknownFieldError struct {
	Path       string
	Suggestion string
}

func (e *UnknownFieldError) Error() string {
	if e.Suggestion != "" {
		return fmt.Sprintf("qcschema: %s: unknown field (did you mean %q?)", e.Path, e.Suggestion)
	}
	return fmt.Sprintf("qcschema: %s: unknown field", e.Path)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *UnknownFieldError) Is(target error) bool { return target == ErrInvalid }

// DuplicateFieldError is a key given twice in one JSON object. Path names the member.
type DuplicateFieldError struct {
	Path string
}

func (e *DuplicateFieldError) Error() string {
	return fmt.Sprintf("qcschema: %s: duplicate key", e.Path)
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *DuplicateFieldError) Is(target error) bool { return target == ErrInvalid }

// shapeKind says how checkMembers treats a JSON value.
type shapeKind uint8

const (
	anyValue     shapeKind = iota // free-form (extras, program keywords): only duplicate keys are errors
	objectOf                      // an object with the members in fields
	mapOf                         // an object with free keys whose values have shape elem
	specUnion                     // one AtomicSpecification (it has "model") or a map of them (elem)
	arrayOf                       // an array whose elements have shape elem
	multiplicity                  // a spin multiplicity: a number of at least 1, or null
)

// shape is what a JSON value may hold.
type shape struct {
	kind   shapeKind
	fields map[string]*shape // objectOf: member name -> shape of its value
	elem   *shape            // mapOf, specUnion: the shape of each value
}

var (
	anyShape          = &shape{kind: anyValue}
	multiplicityShape = &shape{kind: multiplicity}
)

// jsonNames lists the JSON member names of a struct type's fields.
func jsonNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}

// objectShape is an object whose members are those of the struct type T (less drop) and
// extra, every value free-form until set otherwise.
func objectShape(t reflect.Type, drop []string, extra ...string) *shape {
	s := namesShape(append(jsonNames(t), extra...)...)
	for _, n := range drop {
		delete(s.fields, n)
	}
	return s
}

// namesShape is an object with the members names, every value free-form.
func namesShape(names ...string) *shape {
	s := &shape{kind: objectOf, fields: map[string]*shape{}}
	for _, n := range names {
		s.fields[n] = anyShape
	}
	return s
}

// with sets the shapes of members and returns s.
func (s *shape) with(members map[string]*shape) *shape {
	for k, v := range members {
		s.fields[k] = v
	}
	return s
}

// The shapes of the input documents. Molecule also takes "id", which QCElemental's
// Molecule defines and qcmb does not keep; "screening" is qcmb's screening keyword.
var (
	moleculeShape = objectShape(reflect.TypeFor[Molecule](), nil, "id").with(map[string]*shape{
		// 0 would read as "not given" (the fields' zero value): refused where it is written.
		"molecular_multiplicity":  multiplicityShape,
		"fragment_multiplicities": {kind: arrayOf, elem: multiplicityShape},
		"identifiers": namesShape("molecule_hash", "molecular_formula", "smiles", "inchi", "inchikey",
			"canonical_explicit_hydrogen_smiles", "canonical_isomeric_explicit_hydrogen_mapped_smiles",
			"canonical_isomeric_explicit_hydrogen_smiles", "canonical_isomeric_smiles", "canonical_smiles",
			"pubchem_cid", "pubchem_sid", "pubchem_conformerid"),
	})

	// QCElemental's AtomicResultProtocols (v1) and AtomicProtocols (v2, with a schema_name)
	atomicProtocolsShape = namesShape("schema_name", "wavefunction", "stdout", "error_correction", "native_files")

	atomicSpecShape = objectShape(reflect.TypeFor[AtomicSpecification](), nil).with(map[string]*shape{
		"protocols": atomicProtocolsShape,
	})
	atomicSpecShapeV2 = objectShape(reflect.TypeFor[AtomicSpecification](), []string{"schema_version"}).with(map[string]*shape{
		"protocols": atomicProtocolsShape,
	})

	// qcmb's screening keyword: distance cutoffs and energy thresholds.
	screeningShape = objectShape(reflect.TypeFor[Screening](), nil).with(map[string]*shape{
		"energy": objectShape(reflect.TypeFor[EnergyScreening](), nil),
	})
	manyBodyKeywordsShape = objectShape(reflect.TypeFor[ManyBodyKeywords](), nil, "screening").with(map[string]*shape{
		"screening": screeningShape,
	})
	manyBodyKeywordsShapeV2 = objectShape(reflect.TypeFor[ManyBodyKeywords](), []string{"schema_version"}, "screening").with(map[string]*shape{
		"screening": screeningShape,
	})

	manyBodySpecShape = objectShape(reflect.TypeFor[ManyBodySpecification](), nil).with(map[string]*shape{
		"keywords":      manyBodyKeywordsShape,
		"protocols":     objectShape(reflect.TypeFor[ManyBodyProtocols](), nil),
		"specification": {kind: specUnion, elem: atomicSpecShape},
	})
	manyBodySpecShapeV2 = objectShape(reflect.TypeFor[ManyBodySpecificationV2](), nil).with(map[string]*shape{
		"keywords":      manyBodyKeywordsShapeV2,
		"protocols":     objectShape(reflect.TypeFor[ManyBodyProtocolsV2](), nil),
		"specification": {kind: specUnion, elem: atomicSpecShapeV2},
	})

	manyBodyInputShapeV2 = objectShape(reflect.TypeFor[ManyBodyInputV2](), nil).with(map[string]*shape{
		"specification": manyBodySpecShapeV2,
		"molecule":      moleculeShape,
	})

	manyBodyInputShape = objectShape(reflect.TypeFor[ManyBodyInput](), nil).with(map[string]*shape{
		"specification": manyBodySpecShape,
		"molecule":      moleculeShape,
	})
	// AtomicInput takes the v1 layout and the v2 one (driver, model, ... in
	// "specification"; early QCElemental v2 drafts wrote a schema_version there).
	atomicInputShape = objectShape(reflect.TypeFor[AtomicInput](), nil, "specification").with(map[string]*shape{
		"molecule":      moleculeShape,
		"protocols":     atomicProtocolsShape,
		"specification": atomicSpecShape,
	})
)

// renamed maps member names between QCSchema v1 and v2, suggested before any near spelling.
var renamed = map[string]string{
	"component_results":    "cluster_results",
	"cluster_results":      "component_results",
	"component_properties": "cluster_properties",
	"cluster_properties":   "component_properties",
}

// CheckText checks that the JSON string literal quoted (quotes included) holds text:
// valid UTF-8 with no escaped UTF-16 surrogate left unpaired. encoding/json decodes
// either into U+FFFD without a word, so that two different names could read as one.
func CheckText(quoted []byte) error {
	quoted = bytes.TrimSpace(quoted)
	if len(quoted) < 2 || quoted[0] != '"' || quoted[len(quoted)-1] != '"' {
		return nil // not a string: the decoder says so
	}
	return jsontext.CheckString(quoted[1 : len(quoted)-1])
}

// checkMembers reports the first unknown member or duplicate key of the JSON document
// data against sh. data must be valid JSON (json.Unmarshal checks it before calling an
// UnmarshalJSON method); anything else is left for the typed decode to report.
func checkMembers(data []byte, sh *shape) error {
	_, err := scanMembers(data, sh)
	return err
}

// scanMembers is checkMembers that also reports whether a model chemistry specification
// was given as one AtomicSpecification (the rare case that needs a second look).
func scanMembers(data []byte, sh *shape) (singleSpec bool, err error) {
	s := scanner{data: data}
	err = s.value(sh)
	var me *memberError
	switch {
	case errors.Is(err, errSyntax):
		return s.singleSpec, nil
	case errors.As(err, &me):
		path := formatPath(me.steps)
		if me.duplicate {
			return false, &DuplicateFieldError{Path: path}
		}
		if me.msg != "" {
			return false, &ValidationError{Field: path, Index: -1, Msg: me.msg}
		}
		return false, &UnknownFieldError{Path: path, Suggestion: me.suggestion}
	}
	return s.singleSpec, err
}

var errSyntax = errors.New("qcschema: JSON syntax")

// memberError is an unknown or duplicate member, or (msg) a bad value, on its way up from
// where it was found: each enclosing object or array adds its step, so the valid path
// allocates nothing.
type memberError struct {
	steps      []pathStep // innermost first
	duplicate  bool
	suggestion string
	msg        string
}

func (e *memberError) Error() string { return "qcschema: bad member " + formatPath(e.steps) }

// pathStep is a member name or, with isIndex, an array index.
type pathStep struct {
	key     string
	index   int
	isIndex bool
}

// formatPath writes steps (innermost first) as a JSON path: a.b[2]["(auto)"].c
func formatPath(steps []pathStep) string {
	var b strings.Builder
	for i := len(steps) - 1; i >= 0; i-- {
		e := steps[i]
		switch {
		case e.isIndex:
			fmt.Fprintf(&b, "[%d]", e.index)
		case isPlainKey(e.key):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.key)
		default:
			fmt.Fprintf(&b, "[%q]", excerpt(e.key))
		}
	}
	return b.String()
}

// within adds the step of the enclosing value to a memberError.
func within(err error, step pathStep) error {
	if me, ok := err.(*memberError); ok {
		me.steps = append(me.steps, step)
	}
	return err
}

func isPlainKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return len(k) <= excerptLen
}

// excerptLen bounds how much of a bad input an error message quotes.
const excerptLen = 40

// excerpt shortens s to at most excerptLen runes, marking the cut.
func excerpt(s string) string {
	if utf8.RuneCountInString(s) <= excerptLen {
		return s
	}
	r := []rune(s)
	return string(r[:excerptLen-1]) + "…"
}

type scanner struct {
	data []byte
	pos  int
	skip bool // only move past values, checking nothing (a look-ahead)

	singleSpec bool // a specUnion held one AtomicSpecification
}

func (s *scanner) ws() { s.pos = jsontext.SkipSpace(s.data, s.pos) }

// value checks the value at pos against sh and moves past it.
func (s *scanner) value(sh *shape) error {
	s.ws()
	if s.pos >= len(s.data) {
		return errSyntax
	}
	switch c := s.data[s.pos]; c {
	case '{':
		if sh.kind == specUnion {
			single, err := s.hasMember("model")
			if err != nil {
				return err
			}
			if single {
				s.singleSpec = true
				return s.object(sh.elem)
			}
			return s.object(&shape{kind: mapOf, elem: sh.elem})
		}
		return s.object(sh)
	case '[':
		return s.array(sh)
	case '"':
		_, err := s.str()
		return err
	default:
		// numbers and literals: skip to the next delimiter
		start := s.pos
		for s.pos < len(s.data) {
			switch s.data[s.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return s.scalar(sh, s.data[start:s.pos])
			}
			s.pos++
		}
		return s.scalar(sh, s.data[start:s.pos])
	}
}

// scalar checks the number or literal token against sh.
func (s *scanner) scalar(sh *shape, token []byte) error {
	if sh.kind != multiplicity || s.skip || string(token) == "null" {
		return nil
	}
	if v, err := strconv.ParseFloat(string(token), 64); err == nil && !(v >= 1) {
		return &memberError{msg: fmt.Sprintf("%s: want a multiplicity of at least 1 (2S+1; or null when not known)", token)}
	}
	return nil // not a number: the typed decode says so
}

// str moves past the string at pos and returns its raw contents (escapes not decoded).
func (s *scanner) str() ([]byte, error) {
	end, err := jsontext.StringEnd(s.data, s.pos)
	if err != nil {
		return nil, errSyntax
	}
	raw := s.data[s.pos+1 : end-1]
	s.pos = end
	return raw, nil
}

func (s *scanner) array(sh *shape) error {
	s.pos++ // '['
	s.ws()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		return nil
	}
	elem := anyShape // elements are free-form but in arrays of a shape: only their objects' keys are checked
	if sh.kind == arrayOf && !s.skip {
		elem = sh.elem
	}
	for i := 0; ; i++ {
		if err := s.value(elem); err != nil {
			return within(err, pathStep{index: i, isIndex: true})
		}
		s.ws()
		if s.pos >= len(s.data) {
			return errSyntax
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return errSyntax
		}
	}
}

// hasMember reports whether the object at pos has the member name, without moving.
func (s *scanner) hasMember(name string) (bool, error) {
	probe := scanner{data: s.data, pos: s.pos + 1, skip: true}
	for {
		probe.ws()
		if probe.pos >= len(probe.data) {
			return false, errSyntax
		}
		if probe.data[probe.pos] == '}' {
			return false, nil
		}
		if probe.data[probe.pos] == ',' {
			probe.pos++
			continue
		}
		raw, err := probe.str()
		if err != nil {
			return false, err
		}
		if string(raw) == name {
			return true, nil
		}
		probe.ws()
		if probe.pos >= len(probe.data) || probe.data[probe.pos] != ':' {
			return false, errSyntax
		}
		probe.pos++
		if err := probe.value(anyShape); err != nil {
			return false, err
		}
	}
}

// object checks the members of the object at pos.
func (s *scanner) object(sh *shape) error {
	s.pos++ // '{'
	var buf [16][]byte
	seen := buf[:0] // keys so far: objects in inputs are small, a linear search is fastest
	for {
		s.ws()
		if s.pos >= len(s.data) {
			return errSyntax
		}
		switch s.data[s.pos] {
		case '}':
			s.pos++
			return nil
		case ',':
			s.pos++
			continue
		case '"':
		default:
			return errSyntax
		}
		raw, err := s.str()
		if err != nil {
			return err
		}
		key := raw
		if bytes.IndexByte(raw, '\\') >= 0 {
			var k string
			if json.Unmarshal(s.data[s.pos-len(raw)-2:s.pos], &k) != nil {
				return errSyntax
			}
			key = []byte(k)
		}
		if s.skip {
			sh = anyShape
		}
		for _, prev := range seen {
			if bytes.Equal(prev, key) && !s.skip {
				return &memberError{steps: []pathStep{{key: string(key)}}, duplicate: true}
			}
		}
		seen = append(seen, key)
		child := anyShape
		switch sh.kind {
		case objectOf:
			c, ok := sh.fields[string(key)]
			if !ok {
				name := string(key)
				return &memberError{steps: []pathStep{{key: name}}, suggestion: suggest(name, sh.fields)}
			}
			child = c
		case mapOf:
			child = sh.elem
		}
		s.ws()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return errSyntax
		}
		s.pos++
		if err := s.value(child); err != nil {
			return within(err, pathStep{key: string(key)})
		}
	}
}

// suggest returns the known name closest to name (case-insensitive optimal string
// alignment distance) when it is close enough to be a typo of it, else "".
func suggest(name string, known map[string]*shape) string {
	if r, ok := renamed[name]; ok {
		if _, ok := known[r]; ok {
			return r
		}
	}
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	return ClosestName(name, names)
}

// ClosestName returns the name of known closest to name (ignoring case, by edit distance
// with transpositions), or "" when none is close enough to be a likely typo of it: for
// the "did you mean" of error messages about unknown names.
func ClosestName(name string, known []string) string {
	lower := strings.ToLower(name)
	best, bestD := "", -1
	for _, k := range known {
		d := editDistance(lower, strings.ToLower(k))
		if bestD < 0 || d < bestD || d == bestD && k < best {
			best, bestD = k, d
		}
	}
	limit := max(1, min(3, utf8.RuneCountInString(name)/3))
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance: insertions, deletions,
// substitutions and transpositions of neighbours each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return max(len(ra), len(rb)) // too long to be a typo of a member name
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// schemaCheck is one schema_name/schema_version pair of a document and what it may be.
// It allocates nothing unless the check fails: the path is built then.
type schemaCheck struct {
	parent, member, mc string // the object: member of parent, or model chemistry mc of that
	name               string
	version            int
	names              [2]string // accepted names; "" (absent) is always accepted
	versions           [2]int    // accepted versions, none: any; 0 (absent) is always accepted
	other              string    // a hint when name is another document's, such as the v2 spelling
}

func (c schemaCheck) path() string {
	p := joinPath(c.parent, c.member)
	if c.mc != "" {
		p = specPath(p, c.mc)
	}
	return p
}

func (c schemaCheck) err() error {
	if c.name != "" && c.name != c.names[0] && c.name != c.names[1] {
		msg := fmt.Sprintf("%q: want %q", excerpt(c.name), c.names[0])
		if c.other != "" {
			msg += "; " + c.other
		}
		return invalid(joinPath(c.path(), "schema_name"), -1, "%s", msg)
	}
	if c.version != 0 && c.versions[0] != 0 && c.version != c.versions[0] && c.version != c.versions[1] {
		return invalid(joinPath(c.path(), "schema_version"), -1, "%d: want %d", c.version, c.versions[0])
	}
	return nil
}

// specPath is the path of the model chemistry mc under path.
func specPath(path, mc string) string {
	if !isPlainKey(mc) {
		return path + fmt.Sprintf("[%q]", excerpt(mc))
	}
	return joinPath(path, mc)
}

func joinPath(parent, member string) string {
	switch {
	case parent == "":
		return member
	case member == "":
		return parent
	}
	return parent + "." + member
}

func firstErr(checks ...schemaCheck) error {
	for _, c := range checks {
		if err := c.err(); err != nil {
			return err
		}
	}
	return nil
}

// moleculeCheck accepts the molecule schema versions of QCSchema v1 (2) and v2 (3).
func moleculeCheck(path string, m *Molecule) schemaCheck {
	return schemaCheck{parent: path, name: m.SchemaName, version: m.SchemaVersion,
		names: [2]string{SchemaMolecule}, versions: [2]int{2, 3}}
}

func manyBodyInputCheck(name string, version int) schemaCheck {
	return schemaCheck{name: name, version: version, names: [2]string{SchemaManyBodyInput}, versions: [2]int{1}, other: otherDocument(name, v2Hint)}
}

// otherDocument says what the document named name is when it is a known other one, else
// returns hint.
func otherDocument(name, hint string) string {
	switch name {
	case SchemaInput, SchemaInputV2:
		return "that is an AtomicInput, a single point (qcmb compute runs it)"
	case "qcschema_optimization_input":
		return "that is an OptimizationInput (qcmb optimize runs it)"
	case SchemaManyBodyInputV2:
		return "\"" + SchemaManyBodyInputV2 + "\" is QCSchema v2: read it with ManyBodyInputV2"
	case SchemaManyBodyInput:
		return "\"" + SchemaManyBodyInput + "\" is QCSchema v1: read it with ManyBodyInput"
	}
	return hint
}

// checkDocument checks the nesting depth and the members of a top-level document. When
// the members are wrong and its schema_name or schema_version is too, the document is of
// another kind and that is the error to report.
func checkDocument(data []byte, sh *shape, top func(name string, version int) schemaCheck) (singleSpec bool, err error) {
	if err := CheckDepth(data, MaxDepth); err != nil {
		return false, err
	}
	singleSpec, err = scanMembers(data, sh)
	if err == nil {
		return singleSpec, nil
	}
	var head struct {
		SchemaName    string `json:"schema_name"`
		SchemaVersion int    `json:"schema_version"`
	}
	if json.Unmarshal(data, &head) == nil {
		if serr := top(head.SchemaName, head.SchemaVersion).err(); serr != nil {
			return false, serr
		}
	}
	return false, err
}

const v2Hint = "QCSchema v2 documents have schema_name \"" + SchemaManyBodyInputV2 + "\" and schema_version 2 at the top"

// UnmarshalJSON reads a QCManyBody v1 ManyBodyInput strictly: unknown members, duplicate
// keys and schema names of other documents are errors (UnknownFieldError,
// DuplicateFieldError, ValidationError).
func (in *ManyBodyInput) UnmarshalJSON(data []byte) error {
	single, err := checkDocument(data, manyBodyInputShape, manyBodyInputCheck)
	if err != nil {
		return err
	}
	// One decode pass: the members of specification decode in place, without the
	// (re-checking) UnmarshalJSON of ManyBodySpecification.
	type plain ManyBodyInput
	*in = ManyBodyInput{}
	if single {
		aux := struct {
			*plain
			Specification *manyBodySpecificationAux `json:"specification"`
		}{(*plain)(in), new(manyBodySpecificationAux)}
		if err := json.Unmarshal(data, &aux); err != nil {
			return err
		}
		in.Specification = aux.Specification.spec()
	} else {
		aux := struct {
			*plain
			Specification *manyBodySpecificationPlain `json:"specification"`
		}{(*plain)(in), (*manyBodySpecificationPlain)(&in.Specification)}
		if err := json.Unmarshal(data, &aux); err != nil {
			return err
		}
	}
	if err := firstErr(manyBodyInputCheck(in.SchemaName, in.SchemaVersion), moleculeCheck("molecule", &in.Molecule)); err != nil {
		return err
	}
	return in.Specification.checkSchemas("specification")
}

func (s *ManyBodySpecification) checkSchemas(path string) error {
	if err := firstErr(
		schemaCheck{parent: path, name: s.SchemaName, version: s.SchemaVersion, names: [2]string{SchemaManyBodySpecification}, versions: [2]int{1}, other: v2Hint},
		schemaCheck{parent: path, member: "keywords", name: s.Keywords.SchemaName, version: s.Keywords.SchemaVersion, names: [2]string{SchemaManyBodyKeywords}, versions: [2]int{1}, other: v2Hint},
	); err != nil {
		return err
	}
	for mc, a := range s.Specification {
		c := schemaCheck{parent: path, member: "specification", mc: mc, name: a.SchemaName, version: a.SchemaVersion,
			names: [2]string{SchemaAtomicSpecification}, versions: [2]int{1}, other: "QCSchema v2 names it " + SchemaAtomicSpecificationV2}
		if err := c.err(); err != nil {
			return err
		}
	}
	return nil
}

// UnmarshalJSON reads a v1 ManyBodySpecification strictly. As in QCManyBody, a
// specification given as one AtomicSpecification (an object with "model") is the model
// chemistry "(auto)".
func (s *ManyBodySpecification) UnmarshalJSON(data []byte) error {
	single, err := scanMembers(data, manyBodySpecShape)
	if err != nil {
		return err
	}
	if single {
		var aux manyBodySpecificationAux
		if err := json.Unmarshal(data, &aux); err != nil {
			return err
		}
		*s = aux.spec()
	} else {
		*s = ManyBodySpecification{}
		if err := json.Unmarshal(data, (*manyBodySpecificationPlain)(s)); err != nil {
			return err
		}
	}
	return s.checkSchemas("")
}

// manyBodySpecificationAux decodes a ManyBodySpecification in the same pass as its
// parent, without its (checking) UnmarshalJSON method.
type manyBodySpecificationAux struct {
	manyBodySpecificationPlain
	Specification specMap[AtomicSpecification] `json:"specification"`
}

type manyBodySpecificationPlain ManyBodySpecification

func (a *manyBodySpecificationAux) spec() ManyBodySpecification {
	s := ManyBodySpecification(a.manyBodySpecificationPlain)
	s.Specification = a.Specification
	return s
}

// AutoMC is the model chemistry name of a specification given as a single
// AtomicSpecification, as QCManyBody names it.
const AutoMC = "(auto)"

// specMap is a map of model chemistry -> specification that also decodes from one
// specification (an object with a "model" member), which becomes AutoMC.
type specMap[T any] map[string]T

// UnmarshalJSON accepts the map or the single specification.
func (u *specMap[T]) UnmarshalJSON(data []byte) error {
	probe := scanner{data: data}
	probe.ws()
	if probe.pos < len(data) && data[probe.pos] == '{' {
		single, err := probe.hasMember("model")
		if err == nil && single {
			var one T
			if err := json.Unmarshal(data, &one); err != nil {
				return err
			}
			*u = specMap[T]{AutoMC: one}
			return nil
		}
	}
	return json.Unmarshal(data, (*map[string]T)(u))
}

// checkAtomicInputSchema accepts a v1 AtomicInput ("qcschema_input", version 1) or a v2
// one ("qcschema_atomic_input", version 2, its specification "qcschema_atomic_specification").
func checkAtomicInputSchema(name string, version int, mol *Molecule, spec *atomicSpecificationV2) error {
	top := schemaCheck{name: name, version: version, names: [2]string{SchemaInput, SchemaInputV2}, versions: [2]int{1}}
	if name == SchemaInputV2 || spec != nil {
		top.versions = [2]int{2}
	}
	if err := firstErr(top, moleculeCheck("molecule", mol)); err != nil || spec == nil {
		return err
	}
	return schemaCheck{parent: "specification", name: spec.SchemaName, names: [2]string{SchemaAtomicSpecificationV2}}.err()
}
