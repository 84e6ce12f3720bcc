package qcmodels

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// A Type checks one JSON value (decoded with json.Decoder.UseNumber) at path, adding what
// is wrong to errs.
type Type interface {
	check(v any, path string, errs *errList)
}

// Model is a pydantic model: its fields in definition order (a validator sees the fields
// defined before its own, as pydantic's do), what it does with members it has no field
// for, and the validators that look at more than one field.
type Model struct {
	Name   string
	Fields []Field
	// Extra decides whether a member without a field is allowed (pydantic's extra="allow",
	// or a model validator that filters names); nil forbids every one, as extra="forbid".
	Extra func(name string) bool
	// Pre rewrites the object before its fields are checked (pydantic's pre validators).
	Pre func(obj map[string]any) map[string]any
	// Post checks the object once its fields are checked (validators that look at
	// earlier fields, model validators).
	Post func(obj map[string]any, path string, errs *errList)
}

// Field is one field of a model.
type Field struct {
	Name     string
	Type     Type
	Required bool
}

// Check checks the JSON document doc against m and returns every violation, one per line
// with its path, or nil.
func Check(m *Model, doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("%s: %w", m.Name, err)
	}
	var errs errList
	m.check(v, "", &errs)
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %d errors:\n%s", m.Name, len(errs), strings.Join(errs, "\n"))
}

type errList []string

func (e *errList) add(path, format string, args ...any) {
	if path == "" {
		path = "(document)"
	}
	*e = append(*e, path+": "+fmt.Sprintf(format, args...))
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (m *Model) check(v any, path string, errs *errList) {
	obj, ok := v.(map[string]any)
	if !ok {
		errs.add(path, "want an object (%s), got %s", m.Name, kind(v))
		return
	}
	if m.Pre != nil {
		obj = m.Pre(obj)
	}
	known := make(map[string]bool, len(m.Fields))
	for _, f := range m.Fields {
		known[f.Name] = true
		val, ok := obj[f.Name]
		if !ok {
			if f.Required {
				errs.add(join(path, f.Name), "field required (%s)", m.Name)
			}
			continue
		}
		f.Type.check(val, join(path, f.Name), errs)
	}
	names := make([]string, 0, len(obj))
	for name := range obj {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !known[name] && (m.Extra == nil || !m.Extra(name)) {
			errs.add(join(path, name), "extra field not permitted (%s)", m.Name)
		}
	}
	if m.Post != nil {
		m.Post(obj, path, errs)
	}
}

func kind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("string %q", x)
	case json.Number:
		return "number " + x.String()
	case bool:
		return fmt.Sprintf("%v", x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func allowAll(string) bool { return true }

// Scalar types.

type strType struct{}

func (strType) check(v any, path string, errs *errList) {
	if _, ok := v.(string); !ok {
		errs.add(path, "want a string, got %s", kind(v))
	}
}

type intType struct{}

func (intType) check(v any, path string, errs *errList) {
	if _, ok := asInt(v); !ok {
		errs.add(path, "want an integer, got %s", kind(v))
	}
}

func asInt(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) {
		return 0, false
	}
	return int64(f), true // pydantic takes 2.0 as 2
}

type floatType struct{}

func (floatType) check(v any, path string, errs *errList) {
	if _, ok := v.(json.Number); !ok {
		errs.add(path, "want a number, got %s", kind(v))
	}
}

type boolType struct{}

func (boolType) check(v any, path string, errs *errList) {
	if _, ok := v.(bool); !ok {
		errs.add(path, "want true or false, got %s", kind(v))
	}
}

type anyType struct{}

func (anyType) check(any, string, *errList) {}

// literal is a Literal[...] of strings or integers (also an Enum of strings).
type literal []any

func (l literal) check(v any, path string, errs *errList) {
	for _, want := range l {
		switch w := want.(type) {
		case string:
			if s, ok := v.(string); ok && s == w {
				return
			}
		case int:
			if i, ok := asInt(v); ok && i == int64(w) {
				return
			}
		case bool:
			if b, ok := v.(bool); ok && b == w {
				return
			}
		}
	}
	errs.add(path, "want one of %v, got %s", []any(l), kind(v))
}

type optional struct{ t Type }

func (o optional) check(v any, path string, errs *errList) {
	if v != nil {
		o.t.check(v, path, errs)
	}
}

type listOf struct{ t Type }

func (l listOf) check(v any, path string, errs *errList) {
	a, ok := v.([]any)
	if !ok {
		errs.add(path, "want an array, got %s", kind(v))
		return
	}
	for i, x := range a {
		l.t.check(x, fmt.Sprintf("%s[%d]", path, i), errs)
	}
}

// dictOf is a Dict[K, V]: an object whose keys key accepts (nil: any string).
type dictOf struct {
	key func(string) bool
	val Type
}

func (d dictOf) check(v any, path string, errs *errList) {
	obj, ok := v.(map[string]any)
	if !ok {
		errs.add(path, "want an object, got %s", kind(v))
		return
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := fmt.Sprintf("%s[%q]", path, k)
		if d.key != nil && !d.key(k) {
			errs.add(p, "key not allowed")
		}
		d.val.check(obj[k], p, errs)
	}
}

// array is QCElemental's Array[float] (or Array[int]): a number array, flat or nested.
type array struct{ integer bool }

func (a array) check(v any, path string, errs *errList) {
	if _, err := flatten(v, a.integer); err != nil {
		errs.add(path, "%v", err)
	}
}

func flatten(v any, integer bool) ([]float64, error) {
	var out []float64
	var walk func(v any) error
	walk = func(v any) error {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if err := walk(e); err != nil {
					return err
				}
			}
			return nil
		case json.Number:
			f, err := x.Float64()
			if err != nil {
				return err
			}
			if integer && f != math.Trunc(f) {
				return fmt.Errorf("want integers, got %s", x)
			}
			out = append(out, f)
			return nil
		}
		return fmt.Errorf("want a number array, got %s", kind(v))
	}
	err := walk(v)
	return out, err
}

type union []Type

func (u union) check(v any, path string, errs *errList) {
	var all []string
	for _, t := range u {
		var e errList
		t.check(v, path, &e)
		if len(e) == 0 {
			return
		}
		all = append(all, e...)
	}
	errs.add(path, "fits none of the union's types: %s", strings.Join(all, "; "))
}

// bySchemaName is a union discriminated by schema_name, as pydantic's discriminator.
type bySchemaName map[string]*Model

func (b bySchemaName) check(v any, path string, errs *errList) {
	obj, ok := v.(map[string]any)
	if !ok {
		errs.add(path, "want an object, got %s", kind(v))
		return
	}
	name, _ := obj["schema_name"].(string)
	m, ok := b[name]
	if !ok {
		names := make([]string, 0, len(b))
		for n := range b {
			names = append(names, n)
		}
		slices.Sort(names)
		errs.add(join(path, "schema_name"), "want one of %v, got %s", names, kind(obj["schema_name"]))
		return
	}
	m.check(v, path, errs)
}

var (
	str     Type = strType{}
	integer Type = intType{}
	number  Type = floatType{}
	boolean Type = boolType{}
	anyV    Type = anyType{}
	floats  Type = array{}
	ints    Type = array{integer: true}
	anyDict Type = dictOf{val: anyV}
)

func req(name string, t Type) Field { return Field{Name: name, Type: t, Required: true} }
func opt(name string, t Type) Field { return Field{Name: name, Type: t} }

// errNoValue marks a field that is absent or null.
var errNoValue = errors.New("no value")

// numbers is the flat number array of obj[name], or errNoValue.
func numbers(obj map[string]any, name string) ([]float64, error) {
	v, ok := obj[name]
	if !ok || v == nil {
		return nil, errNoValue
	}
	return flatten(v, false)
}
