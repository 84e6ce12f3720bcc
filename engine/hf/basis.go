package hf

import (
	"bufio"
	"embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
)

//go:embed basis/*.gbs
var basisFS embed.FS

// basisFiles maps lower-case basis names (and aliases) to embedded files.
var basisFiles = map[string]string{
	"sto-3g":   "sto-3g.gbs",
	"3-21g":    "3-21g.gbs",
	"6-31g":    "6-31g.gbs",
	"6-31g*":   "6-31gs.gbs",
	"6-31gs":   "6-31gs.gbs",
	"6-31g(d)": "6-31gs.gbs",
	"cc-pvdz":  "cc-pvdz.gbs",
}

// BasisSets lists the canonical names of the embedded basis sets.
func BasisSets() []string { return []string{"sto-3g", "3-21g", "6-31g", "6-31g*", "cc-pvdz"} }

// gbsShell is one contracted shell as written in a Gaussian94 file.
// For SP shells coefs has two rows (s, p); otherwise one.
type gbsShell struct {
	lmin, lmax int
	exps       []float64
	coefs      [][]float64 // [l-lmin][prim]
}

type gbsBasis struct {
	name      string
	spherical bool // header default (pure functions)
	elements  map[int][]gbsShell
}

var (
	basisMu    sync.Mutex
	basisCache = map[string]*gbsBasis{}
)

func normBasisName(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

// loadBasis returns the parsed basis set for a (case-insensitive) name.
func loadBasis(name string) (*gbsBasis, error) {
	key := normBasisName(name)
	file, ok := basisFiles[key]
	if !ok {
		return nil, &UnknownBasisError{Basis: name}
	}
	basisMu.Lock()
	defer basisMu.Unlock()
	if b, ok := basisCache[file]; ok {
		return b, nil
	}
	data, err := basisFS.ReadFile("basis/" + file)
	if err != nil {
		return nil, fmt.Errorf("hf: reading embedded basis %s: %w", file, err)
	}
	b, err := parseGBS(strings.TrimSuffix(file, ".gbs"), string(data))
	if err != nil {
		return nil, err
	}
	basisCache[file] = b
	return b, nil
}

func parseFloatD(s string) (float64, error) {
	s = strings.NewReplacer("D", "E", "d", "e").Replace(s)
	return strconv.ParseFloat(s, 64)
}

var shellL = map[string]int{"S": 0, "P": 1, "D": 2, "F": 3, "G": 4}

// parseGBS parses a Gaussian94-format basis file.
func parseGBS(name, text string) (*gbsBasis, error) {
	b := &gbsBasis{name: name, elements: map[int][]gbsShell{}}
	lines := gbsLines(b, text)
	for i := 0; i < len(lines); {
		if lines[i] == "****" {
			i++
			continue
		}
		f := strings.Fields(lines[i])
		z, ok := elementZ[strings.ToLower(f[0])]
		if !ok {
			return nil, fmt.Errorf("hf: basis %s: unknown element %q", name, f[0])
		}
		i++
		var shells []gbsShell
		for i < len(lines) && lines[i] != "****" {
			sh, next, err := parseGBSShell(name, lines, i)
			if err != nil {
				return nil, err
			}
			shells = append(shells, sh)
			i = next
		}
		b.elements[z] = shells
	}
	return b, nil
}

// gbsLines returns the non-blank, non-comment lines of a Gaussian94 file
// and sets b.spherical from its first line ("spherical" or "cartesian").
func gbsLines(b *gbsBasis, text string) []string {
	sc := bufio.NewScanner(strings.NewReader(text))
	var lines []string
	first := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if first && line != "" {
			first = false
			switch strings.ToLower(line) {
			case "spherical":
				b.spherical = true
				continue
			case "cartesian":
				continue
			}
		}
		if line == "" || strings.HasPrefix(line, "!") {
			continue
		}
		lines = append(lines, line)
	}
	return lines
}

// parseGBSShell parses the shell starting at lines[i] and returns it with
// the index of the line after it.
func parseGBSShell(name string, lines []string, i int) (gbsShell, int, error) {
	var sh gbsShell
	f := strings.Fields(lines[i])
	if len(f) < 2 {
		return sh, 0, fmt.Errorf("hf: basis %s: bad shell line %q", name, lines[i])
	}
	typ := strings.ToUpper(f[0])
	nprim, err := strconv.Atoi(f[1])
	if err != nil || nprim <= 0 {
		return sh, 0, fmt.Errorf("hf: basis %s: bad shell line %q", name, lines[i])
	}
	scale := 1.0
	if len(f) > 2 {
		if scale, err = parseFloatD(f[2]); err != nil {
			return sh, 0, fmt.Errorf("hf: basis %s: bad scale %q", name, lines[i])
		}
	}
	ncoef := 1
	if typ == "SP" {
		sh.lmin, sh.lmax = 0, 1
		ncoef = 2
	} else {
		l, ok := shellL[typ]
		if !ok {
			return sh, 0, fmt.Errorf("hf: basis %s: unsupported shell type %q", name, typ)
		}
		sh.lmin, sh.lmax = l, l
	}
	sh.coefs = make([][]float64, ncoef)
	i++
	for k := 0; k < nprim; k, i = k+1, i+1 {
		if i >= len(lines) {
			return sh, 0, fmt.Errorf("hf: basis %s: truncated shell", name)
		}
		pf := strings.Fields(lines[i])
		if len(pf) < 1+ncoef {
			return sh, 0, fmt.Errorf("hf: basis %s: bad primitive line %q", name, lines[i])
		}
		e, err := parseFloatD(pf[0])
		if err != nil {
			return sh, 0, fmt.Errorf("hf: basis %s: bad exponent %q", name, pf[0])
		}
		sh.exps = append(sh.exps, e*scale*scale)
		for c := 0; c < ncoef; c++ {
			v, err := parseFloatD(pf[1+c])
			if err != nil {
				return sh, 0, fmt.Errorf("hf: basis %s: bad coefficient %q", name, pf[1+c])
			}
			sh.coefs[c] = append(sh.coefs[c], v)
		}
	}
	return sh, i, nil
}

// shell is a set of contracted cartesian functions on one centre sharing
// one list of primitive exponents: a plain shell, an SP shell, or several
// general contractions of the same primitives (as in cc-pVDZ), which are
// merged so that primitive integrals are computed once for all of them.
type shell struct {
	atom       int
	pos        [3]float64
	lmin, lmax int
	exps       []float64
	coef       [][]float64 // [contraction][prim], includes primitive and contraction normalisation
	cl         []int       // angular momentum of each contraction
	cart       [][3]int    // cartesian components, contraction by contraction, Psi4 order within each
	lOf        []int       // angular momentum of each component
	cIdx       []int       // contraction of each component
	off        int         // first basis function
}

func (s *shell) ncart() int { return len(s.cart) }

func doubleFactorial(n int) float64 {
	r := 1.0
	for k := n; k > 1; k -= 2 {
		r *= float64(k)
	}
	return r
}

// cartComponents lists the cartesian components of angular momentum l in
// Psi4/libint order (xx, xy, xz, yy, yz, zz for d).
func cartComponents(l int) [][3]int {
	var out [][3]int
	for i := 0; i <= l; i++ {
		lx := l - i
		for j := 0; j <= i; j++ {
			out = append(out, [3]int{lx, i - j, j})
		}
	}
	return out
}

// contraction is one contracted function set (angular momentum l) of a shell.
type contraction struct {
	l   int
	raw []float64
}

// newShell normalises contractions the way Psi4 does: each primitive is
// normalised for the x^l component, then the contraction is scaled so the
// x^l component of the contracted function has unit norm. All cartesian
// components of a contraction share these coefficients.
func newShell(exps []float64, cons []contraction, atom int, pos [3]float64) *shell {
	s := &shell{atom: atom, pos: pos, exps: exps, lmin: cons[0].l, lmax: cons[0].l}
	for ci, con := range cons {
		l := con.l
		if l < s.lmin {
			s.lmin = l
		}
		if l > s.lmax {
			s.lmax = l
		}
		c := make([]float64, len(exps))
		for i, a := range exps {
			c[i] = con.raw[i] * math.Pow(2*a/math.Pi, 0.75) * math.Pow(4*a, float64(l)/2) / math.Sqrt(doubleFactorial(2*l-1))
		}
		// self-overlap of the contracted x^l function
		sum := 0.0
		for i, a := range exps {
			for j, b := range exps {
				p := a + b
				sum += c[i] * c[j] * math.Pow(math.Pi/p, 1.5) * doubleFactorial(2*l-1) / math.Pow(2*p, float64(l))
			}
		}
		nrm := 1 / math.Sqrt(sum)
		for i := range c {
			c[i] *= nrm
		}
		s.coef = append(s.coef, c)
		s.cl = append(s.cl, l)
		for _, comp := range cartComponents(l) {
			s.cart = append(s.cart, comp)
			s.lOf = append(s.lOf, l)
			s.cIdx = append(s.cIdx, ci)
		}
	}
	return s
}

func sameExps(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// mergedShells groups an element's basis-file shells by identical
// exponent lists, keeping the file order of first appearance.
func mergedShells(gs []gbsShell) (exps [][]float64, cons [][]contraction) {
	for _, g := range gs {
		k := -1
		for i, e := range exps {
			if sameExps(e, g.exps) {
				k = i
				break
			}
		}
		if k < 0 {
			exps = append(exps, g.exps)
			cons = append(cons, nil)
			k = len(exps) - 1
		}
		for l := g.lmin; l <= g.lmax; l++ {
			cons[k] = append(cons[k], contraction{l: l, raw: g.coefs[l-g.lmin]})
		}
	}
	return
}

// basisSet is the list of shells for a molecule.
type basisSet struct {
	name   string
	shells []*shell
	nbf    int // cartesian functions
	lmax   int
	pure   bool // spherical harmonic functions for l >= 2
	nsph   int  // number of functions (spherical where pure)
}

func buildBasis(b *gbsBasis, atoms []Atom, pure bool) (*basisSet, error) {
	bs := &basisSet{name: b.name, pure: pure}
	for ia, at := range atoms {
		gs, ok := b.elements[at.Z]
		if !ok {
			return nil, &UnsupportedElementError{Element: symbolOf(at.Z), Z: at.Z, Basis: b.name}
		}
		for _, g := range gs {
			if g.lmax > maxL {
				return nil, &UnsupportedElementError{Element: symbolOf(at.Z), Z: at.Z, Basis: b.name,
					Reason: fmt.Sprintf("angular momentum %d exceeds the supported maximum %d", g.lmax, maxL)}
			}
		}
		exps, cons := mergedShells(gs)
		for k := range exps {
			s := newShell(exps[k], cons[k], ia, at.Pos)
			s.off = bs.nbf
			bs.nbf += s.ncart()
			for _, l := range s.cl {
				if pure && l >= 2 {
					bs.nsph += 2*l + 1
				} else {
					bs.nsph += (l + 1) * (l + 2) / 2
				}
			}
			if s.lmax > bs.lmax {
				bs.lmax = s.lmax
			}
			bs.shells = append(bs.shells, s)
		}
	}
	return bs, nil
}

// maxL is the highest shell angular momentum supported (f).
const maxL = 3

// solidHarmonics lists, per l >= 2, the real solid harmonics as
// combinations of cartesian monomials x^a y^b z^c (unnormalised; the
// columns of the transformation are normalised with the overlap matrix).
var solidHarmonics = map[int][]map[[3]int]float64{
	2: {
		{{2, 0, 0}: -1, {0, 2, 0}: -1, {0, 0, 2}: 2}, // d0
		{{1, 0, 1}: 1},                // d+1
		{{0, 1, 1}: 1},                // d-1
		{{2, 0, 0}: 1, {0, 2, 0}: -1}, // d+2
		{{1, 1, 0}: 1},                // d-2
	},
	3: {
		{{0, 0, 3}: 2, {2, 0, 1}: -3, {0, 2, 1}: -3}, // f0
		{{1, 0, 2}: 4, {3, 0, 0}: -1, {1, 2, 0}: -1}, // f+1
		{{0, 1, 2}: 4, {2, 1, 0}: -1, {0, 3, 0}: -1}, // f-1
		{{2, 0, 1}: 1, {0, 2, 1}: -1},                // f+2
		{{1, 1, 1}: 1},                               // f-2
		{{3, 0, 0}: 1, {1, 2, 0}: -3},                // f+3
		{{2, 1, 0}: 3, {0, 3, 0}: -1},                // f-3
	},
}

// sphericalT returns the nbf x nsph matrix whose columns express the
// working functions (spherical where pure, cartesian otherwise) in the
// cartesian functions. The columns are not normalised.
func (bs *basisSet) sphericalT() []float64 {
	n, m := bs.nbf, bs.nsph
	T := make([]float64, n*m)
	col := 0
	for _, s := range bs.shells {
		for ci, l := range s.cl {
			if bs.pure && l >= 2 {
				for _, poly := range solidHarmonics[l] {
					for i, c := range s.cart {
						if s.cIdx[i] == ci {
							T[(s.off+i)*m+col] = poly[c]
						}
					}
					col++
				}
				continue
			}
			for i := range s.cart {
				if s.cIdx[i] == ci {
					T[(s.off+i)*m+col] = 1
					col++
				}
			}
		}
	}
	return T
}
