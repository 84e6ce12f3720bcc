package cif

import (
	"fmt"
	"strconv"
	"strings"
)

// SymOp is a symmetry operation in the x,y,z form CIF writes it ("1/2-x,1/2+y,z",
// "-x+y, -x, 1/3+z"): three affine expressions in the fractional coordinates x, y and z.
type SymOp struct {
	// Text is the operation as the file gives it.
	Text string
	expr [3]*node
}

// ParseSymOp reads an x,y,z operation: per coordinate a sum of terms, each a number, a
// fraction, a coordinate (x, y or z, either case) or a product of a number and a
// coordinate, with + and - between them.
func ParseSymOp(s string) (SymOp, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return SymOp{}, fmt.Errorf("symmetry operation %s: want three expressions separated by commas", excerpt(s))
	}
	op := SymOp{Text: s}
	for k, p := range parts {
		ps := &exprParser{src: p}
		n, err := ps.parse()
		if err != nil {
			return SymOp{}, fmt.Errorf("symmetry operation %s: %s: %v", excerpt(s), excerpt(strings.TrimSpace(p)), err)
		}
		op.expr[k] = n
	}
	return op, nil
}

// Apply returns the image of the fractional position (x, y, z). Each expression is
// evaluated left to right with the usual precedence, in float64 arithmetic, so the result
// is bit for bit what evaluating the text as a Python expression gives (as CrystaLattE
// does).
func (o SymOp) Apply(x, y, z float64) (float64, float64, float64) {
	v := [3]float64{x, y, z}
	return o.expr[0].eval(&v), o.expr[1].eval(&v), o.expr[2].eval(&v)
}

// Affine returns the operation as a matrix and a translation: the image of r is rot·r +
// trans.
func (o SymOp) Affine() (rot [3][3]float64, trans [3]float64) {
	for k, e := range o.expr {
		rot[k], trans[k] = e.affine()
	}
	return rot, trans
}

// node is an expression tree: a constant, a coordinate (variable 0, 1 or 2), a negation
// or a binary operation.
type node struct {
	op          byte // 'c' constant, 'v' variable, 'n' negation, or + - * /
	val         float64
	variable    int
	left, right *node
	// linear marks expressions that contain a coordinate.
	linear bool
}

func (n *node) eval(v *[3]float64) float64 {
	switch n.op {
	case 'c':
		return n.val
	case 'v':
		return v[n.variable]
	case 'n':
		return -n.left.eval(v)
	case '+':
		return n.left.eval(v) + n.right.eval(v)
	case '-':
		return n.left.eval(v) - n.right.eval(v)
	case '*':
		return n.left.eval(v) * n.right.eval(v)
	default:
		return n.left.eval(v) / n.right.eval(v)
	}
}

// affine returns the coefficients of x, y and z and the constant term of the expression.
func (n *node) affine() (coef [3]float64, c float64) {
	switch n.op {
	case 'c':
		return coef, n.val
	case 'v':
		coef[n.variable] = 1
		return coef, 0
	case 'n':
		coef, c = n.left.affine()
		return [3]float64{-coef[0], -coef[1], -coef[2]}, -c
	}
	lc, l := n.left.affine()
	rc, r := n.right.affine()
	switch n.op {
	case '+':
		return [3]float64{lc[0] + rc[0], lc[1] + rc[1], lc[2] + rc[2]}, l + r
	case '-':
		return [3]float64{lc[0] - rc[0], lc[1] - rc[1], lc[2] - rc[2]}, l - r
	case '*':
		if n.left.linear { // the parser allows a coordinate on one side only
			return [3]float64{lc[0] * r, lc[1] * r, lc[2] * r}, l * r
		}
		return [3]float64{rc[0] * l, rc[1] * l, rc[2] * l}, l * r
	default:
		return [3]float64{lc[0] / r, lc[1] / r, lc[2] / r}, l / r
	}
}

// exprParser parses one coordinate expression by recursive descent.
type exprParser struct {
	src string
	i   int
}

func (p *exprParser) peek() byte {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t') {
		p.i++
	}
	if p.i >= len(p.src) {
		return 0
	}
	return p.src[p.i]
}

func (p *exprParser) parse() (*node, error) {
	if p.peek() == 0 {
		return nil, fmt.Errorf("empty expression")
	}
	n, err := p.sum()
	if err != nil {
		return nil, err
	}
	if c := p.peek(); c != 0 {
		return nil, fmt.Errorf("unexpected %q", c)
	}
	return n, nil
}

// sum := product { ("+" | "-") product }
func (p *exprParser) sum() (*node, error) {
	n, err := p.product()
	if err != nil {
		return nil, err
	}
	for c := p.peek(); c == '+' || c == '-'; c = p.peek() {
		p.i++
		r, err := p.product()
		if err != nil {
			return nil, err
		}
		n = &node{op: c, left: n, right: r, linear: n.linear || r.linear}
	}
	return n, nil
}

// product := unary { ("*" | "/") unary }, affine: a coordinate may be multiplied by a
// constant only, and nothing divided by a coordinate.
func (p *exprParser) product() (*node, error) {
	n, err := p.unary()
	if err != nil {
		return nil, err
	}
	for c := p.peek(); c == '*' || c == '/'; c = p.peek() {
		p.i++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		if (c == '*' && n.linear && r.linear) || (c == '/' && r.linear) {
			return nil, fmt.Errorf("not an affine expression")
		}
		n = &node{op: c, left: n, right: r, linear: n.linear || r.linear}
	}
	return n, nil
}

// unary := ("+" | "-") unary | number | coordinate
func (p *exprParser) unary() (*node, error) {
	switch c := p.peek(); {
	case c == '-':
		p.i++
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{op: 'n', left: n, linear: n.linear}, nil
	case c == '+':
		p.i++
		return p.unary()
	case c == 'x' || c == 'y' || c == 'z' || c == 'X' || c == 'Y' || c == 'Z':
		p.i++
		return &node{op: 'v', variable: int((c | 0x20) - 'x'), linear: true}, nil
	case c >= '0' && c <= '9' || c == '.':
		j := p.i
		for j < len(p.src) && (p.src[j] >= '0' && p.src[j] <= '9' || p.src[j] == '.') {
			j++
		}
		v, err := strconv.ParseFloat(p.src[p.i:j], 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", p.src[p.i:j])
		}
		p.i = j
		return &node{op: 'c', val: v}, nil
	case c == 0:
		return nil, fmt.Errorf("expression ends early")
	default:
		return nil, fmt.Errorf("unexpected %q", c)
	}
}
