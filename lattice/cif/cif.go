package cif

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Structure is what a lattice energy needs from a CIF data block.
type Structure struct {
	// Block is the name of the data block (after "data_").
	Block string
	Cell  Cell
	// SymOps are the symmetry operations, in file order.
	SymOps []SymOp
	// Sites are the atom sites, in file order.
	Sites []Site
}

// Cell is the unit cell: lengths in ångström, angles in degrees.
type Cell struct {
	A, B, C            float64
	Alpha, Beta, Gamma float64
	// Volume is _cell_volume in cubic ångström, 0 when the file does not give it.
	Volume float64
	// Text holds a, b, c, alpha, beta and gamma as the file writes them, standard
	// uncertainties included ("11.938(1)"), for readers that take them otherwise.
	Text [6]string
}

// Site is one atom site.
type Site struct {
	// Label is _atom_site_label; Type is _atom_site_type_symbol ("" when absent).
	Label, Type string
	// Fract are the fractional coordinates x, y, z.
	Fract [3]float64
	// Line is the file line of the site's row.
	Line int
}

// ReadFile reads the CIF file at path; errors name the file and the line.
func ReadFile(path string) (*Structure, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(data)
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) && ce.Line > 0 {
			return nil, fmt.Errorf("%s:%d: %s", path, ce.Line, ce.Msg)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Read reads a CIF from r.
func Read(r io.Reader) (*Structure, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse reads a CIF held in memory. The whole file must be valid CIF syntax; the
// structure comes from its first data block.
func Parse(data []byte) (*Structure, error) {
	toks, err := tokenize(string(data))
	if err != nil {
		return nil, err
	}
	blocks, err := parseBlocks(toks)
	if err != nil {
		return nil, err
	}
	if len(blocks) == 0 {
		return nil, errorf(0, "no data_ block")
	}
	return structureOf(blocks[0])
}

func structureOf(b *block) (*Structure, error) {
	s := &Structure{Block: b.name}
	for i, f := range []struct {
		tag string
		dst *float64
	}{
		{"_cell_length_a", &s.Cell.A}, {"_cell_length_b", &s.Cell.B}, {"_cell_length_c", &s.Cell.C},
		{"_cell_angle_alpha", &s.Cell.Alpha}, {"_cell_angle_beta", &s.Cell.Beta}, {"_cell_angle_gamma", &s.Cell.Gamma},
	} {
		v, err := b.number(f.tag, true)
		if err != nil {
			return nil, err
		}
		if v <= 0 || (strings.Contains(f.tag, "angle") && v >= 180) {
			return nil, errorf(b.items[f.tag].line, "%s: %v is out of range", f.tag, v)
		}
		*f.dst = v
		s.Cell.Text[i] = b.items[f.tag].text
	}
	vol, err := b.number("_cell_volume", false)
	if err != nil {
		return nil, err
	}
	s.Cell.Volume = vol
	if s.SymOps, err = b.symOps(); err != nil {
		return nil, err
	}
	if s.Sites, err = b.sites(); err != nil {
		return nil, err
	}
	return s, nil
}

// number reads a single-valued numeric item; absent and not required gives 0.
func (b *block) number(tag string, required bool) (float64, error) {
	t, ok := b.items[tag]
	if !ok {
		if l, inLoop := b.loops[tag]; inLoop {
			return 0, errorf(l.line, "%s is in a loop_, want a single value", tag)
		}
		if required {
			return 0, errorf(b.line, "data block %s has no %s", b.name, tag)
		}
		return 0, nil
	}
	v, err := parseNumber(t)
	if err != nil {
		return 0, errorf(t.line, "%s: %v", tag, err)
	}
	return v, nil
}

// numeric is CIF's number syntax, with an optional standard uncertainty in parentheses.
var numeric = regexp.MustCompile(`^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)(?:\([0-9]+\))?$`)

// parseNumber reads a CIF number, with or without a standard uncertainty in parentheses.
func parseNumber(t token) (float64, error) {
	if !t.quoted && (t.text == "?" || t.text == ".") {
		return 0, fmt.Errorf("value is %s (unknown or not applicable), want a number", t.text)
	}
	m := numeric.FindStringSubmatch(t.text)
	if m == nil {
		return 0, fmt.Errorf("%s is not a number", excerpt(t.text))
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a number", excerpt(t.text))
	}
	return v, nil
}

// symOpTags are the tags symmetry operations are found under, in the order looked for.
var symOpTags = []string{"_symmetry_equiv_pos_as_xyz", "_space_group_symop_operation_xyz"}

func (b *block) symOps() ([]SymOp, error) {
	var vals []token
	for _, tag := range symOpTags {
		if l, ok := b.loops[tag]; ok {
			vals = l.column(tag)
			break
		}
		if t, ok := b.items[tag]; ok {
			vals = []token{t}
			break
		}
	}
	if vals == nil {
		return nil, errorf(b.line, "data block %s has no symmetry operations (%s or %s)", b.name, symOpTags[0], symOpTags[1])
	}
	ops := make([]SymOp, len(vals))
	for i, v := range vals {
		op, err := ParseSymOp(v.text)
		if err != nil {
			return nil, errorf(v.line, "%v", err)
		}
		ops[i] = op
	}
	return ops, nil
}

func (b *block) sites() ([]Site, error) {
	l, ok := b.loops["_atom_site_label"]
	if !ok {
		if t, single := b.items["_atom_site_label"]; single {
			return nil, errorf(t.line, "_atom_site_label is a single item, want a loop_ of atom sites")
		}
		return nil, errorf(b.line, "data block %s has no atom sites (_atom_site_label loop)", b.name)
	}
	labels := l.column("_atom_site_label")
	types := l.column("_atom_site_type_symbol")
	var fract [3][]token
	for k, tag := range []string{"_atom_site_fract_x", "_atom_site_fract_y", "_atom_site_fract_z"} {
		if fract[k] = l.column(tag); fract[k] == nil {
			return nil, errorf(l.line, "the atom site loop has no %s", tag)
		}
	}
	sites := make([]Site, len(labels))
	for i, lab := range labels {
		s := Site{Label: lab.text, Line: lab.line}
		if types != nil {
			s.Type = types[i].text
		}
		for k := range 3 {
			v, err := parseNumber(fract[k][i])
			if err != nil {
				return nil, errorf(fract[k][i].line, "atom site %s: fractional %c: %v", lab.text, 'x'+k, err)
			}
			s.Fract[k] = v
		}
		sites[i] = s
	}
	if len(sites) == 0 {
		return nil, errorf(l.line, "the atom site loop has no rows")
	}
	return sites, nil
}
