package lattice

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/qcmb-go/qcmb/qcschema"
)

// twoLetter and oneLetter are the element symbols CrystaLattE recognizes at the start of
// an atom site label, two-letter symbols first.
var (
	twoLetter = strings.Fields(`He Li Be Ne Na Mg Al Si Cl Ar Ca Sc Ti Cr Mn Fe Co Ni Cu Zn Ga Ge
		As Se Br Kr Rb Sr Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd
		Tb Dy Ho Er Tm Yb Lu Hf Ta Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa Np Pu Am Cm
		Bk Cf Es Fm Md No Lr`)
	oneLetter = strings.Fields(`H B C N O F P S K V Y I W U`)
)

// ElementOfLabel is the element of a CIF atom site label by CrystaLattE's rule: the first
// two characters if they are a two-letter symbol (case as written: "Cl1" is chlorine,
// "CL1" carbon), else the first if it is a one-letter symbol. ok is false when neither is.
func ElementOfLabel(label string) (symbol string, ok bool) {
	if len(label) >= 2 {
		for _, s := range twoLetter {
			if label[:2] == s {
				return s, true
			}
		}
	}
	if len(label) >= 1 {
		for _, s := range oneLetter {
			if label[:1] == s {
				return s, true
			}
		}
	}
	return "", false
}

// siteElement is the element of a CIF atom site: CrystaLattE's reading of its label, or,
// when that finds none (lower-case labels such as "n1"), its type symbol or the label's
// letters read as a symbol. A type symbol that names another element than the label is an
// error rather than a silent choice between them.
func siteElement(label, typeSymbol string) (string, error) {
	typ := strings.TrimRight(typeSymbol, "0123456789+-") // "O-2", "H+1"
	if s, ok := ElementOfLabel(label); ok {
		if typ != "" && !strings.EqualFold(typ, s) {
			return "", fmt.Errorf("atom site %s: its label reads as %s but its type symbol is %s", qcschema.Quote(label), s, qcschema.Quote(typeSymbol))
		}
		return s, nil
	}
	for _, cand := range []string{typ, label} {
		letters := cand
		if k := strings.IndexFunc(cand, func(r rune) bool { return !unicode.IsLetter(r) }); k >= 0 {
			letters = cand[:k]
		}
		for _, n := range []int{2, 1} {
			if len(letters) >= n {
				if s, ok := qcschema.CanonicalSymbol(letters[:n]); ok {
					return s, nil
				}
			}
		}
	}
	return "", fmt.Errorf("atom site %s: cannot tell its element from the label or type symbol", qcschema.Quote(label))
}

// covalentRadius is the covalent radius in ångström that Psi4's bond search (qcdb.bfs)
// uses, from Housecroft's Inorganic Chemistry.
var covalentRadius = map[string]float64{
	"H": 0.37, "He": 0.30,
	"Li": 1.02, "Be": 0.27, "B": 0.88, "C": 0.77, "O": 0.73, "N": 0.75, "F": 0.71, "Ne": 0.84,
	"Na": 1.02, "Mg": 0.72, "Al": 1.30, "Si": 1.18, "P": 1.10, "S": 1.03, "Cl": 0.99, "Ar": 1.00,
	"K": 1.38, "Ca": 1.00,
	"Sc": 0.75, "Ti": 0.86, "V": 0.79, "Cr": 0.73, "Mn": 0.67,
	"Fe": 0.61, "Co": 0.64, "Ni": 0.55, "Cu": 0.46, "Zn": 0.60,
	"Ga": 1.22, "Ge": 1.22, "As": 1.22, "Se": 1.17, "Br": 1.14, "Kr": 1.03,
	"I": 1.33,
}
