package qcschema

import "strings"

// Unit conversions, CODATA 2014 as QCElemental uses them.
const (
	// AngstromPerBohr is the Bohr radius in ångström (CODATA 2014: 0.52917721067).
	AngstromPerBohr = 0.52917721067
	// BohrPerAngstrom is 1/AngstromPerBohr.
	BohrPerAngstrom = 1 / AngstromPerBohr
)

// element is one row of the periodic table: the symbol, and the mass [u] and mass number
// of the isotope QCElemental uses for the bare symbol (the most abundant one for stable
// elements, the longest-lived one otherwise).
type element struct {
	Symbol     string
	Mass       float64
	MassNumber int
}

// elements is indexed by atomic number - 1. Masses are QCElemental's (NIST 2011 atomic
// weights and isotopic compositions, as in Psi4's masses.h); Og is from AME2016.
var elements = [...]element{
	{"H", 1.00782503223, 1},     // 1
	{"He", 4.00260325413, 4},    // 2
	{"Li", 7.0160034366, 7},     // 3
	{"Be", 9.012183065, 9},      // 4
	{"B", 11.00930536, 11},      // 5
	{"C", 12.0000000, 12},       // 6
	{"N", 14.00307400443, 14},   // 7
	{"O", 15.99491461957, 16},   // 8
	{"F", 18.99840316273, 19},   // 9
	{"Ne", 19.9924401762, 20},   // 10
	{"Na", 22.9897692820, 23},   // 11
	{"Mg", 23.985041697, 24},    // 12
	{"Al", 26.98153853, 27},     // 13
	{"Si", 27.97692653465, 28},  // 14
	{"P", 30.97376199842, 31},   // 15
	{"S", 31.9720711744, 32},    // 16
	{"Cl", 34.968852682, 35},    // 17
	{"Ar", 39.9623831237, 40},   // 18
	{"K", 38.9637064864, 39},    // 19
	{"Ca", 39.962590863, 40},    // 20
	{"Sc", 44.95590828, 45},     // 21
	{"Ti", 47.94794198, 48},     // 22
	{"V", 50.94395704, 51},      // 23
	{"Cr", 51.94050623, 52},     // 24
	{"Mn", 54.93804391, 55},     // 25
	{"Fe", 55.93493633, 56},     // 26
	{"Co", 58.93319429, 59},     // 27
	{"Ni", 57.93534241, 58},     // 28
	{"Cu", 62.92959772, 63},     // 29
	{"Zn", 63.92914201, 64},     // 30
	{"Ga", 68.9255735, 69},      // 31
	{"Ge", 73.921177761, 74},    // 32
	{"As", 74.92159457, 75},     // 33
	{"Se", 79.9165218, 80},      // 34
	{"Br", 78.9183376, 79},      // 35
	{"Kr", 83.9114977282, 84},   // 36
	{"Rb", 84.9117897379, 85},   // 37
	{"Sr", 87.9056125, 88},      // 38
	{"Y", 88.9058403, 89},       // 39
	{"Zr", 89.9046977, 90},      // 40
	{"Nb", 92.9063730, 93},      // 41
	{"Mo", 97.90540482, 98},     // 42
	{"Tc", 97.9072124, 98},      // 43
	{"Ru", 101.9043441, 102},    // 44
	{"Rh", 102.9054980, 103},    // 45
	{"Pd", 105.9034804, 106},    // 46
	{"Ag", 106.9050916, 107},    // 47
	{"Cd", 113.90336509, 114},   // 48
	{"In", 114.903878776, 115},  // 49
	{"Sn", 119.90220163, 120},   // 50
	{"Sb", 120.9038120, 121},    // 51
	{"Te", 129.906222748, 130},  // 52
	{"I", 126.9044719, 127},     // 53
	{"Xe", 131.9041550856, 132}, // 54
	{"Cs", 132.9054519610, 133}, // 55
	{"Ba", 137.90524700, 138},   // 56
	{"La", 138.9063563, 139},    // 57
	{"Ce", 139.9054431, 140},    // 58
	{"Pr", 140.9076576, 141},    // 59
	{"Nd", 141.9077290, 142},    // 60
	{"Pm", 144.9127559, 145},    // 61
	{"Sm", 151.9197397, 152},    // 62
	{"Eu", 152.9212380, 153},    // 63
	{"Gd", 157.9241123, 158},    // 64
	{"Tb", 158.9253547, 159},    // 65
	{"Dy", 163.9291819, 164},    // 66
	{"Ho", 164.9303288, 165},    // 67
	{"Er", 165.9302995, 166},    // 68
	{"Tm", 168.9342179, 169},    // 69
	{"Yb", 173.9388664, 174},    // 70
	{"Lu", 174.9407752, 175},    // 71
	{"Hf", 179.9465570, 180},    // 72
	{"Ta", 180.9479958, 181},    // 73
	{"W", 183.95093092, 184},    // 74
	{"Re", 186.9557501, 187},    // 75
	{"Os", 191.9614770, 192},    // 76
	{"Ir", 192.9629216, 193},    // 77
	{"Pt", 194.9647917, 195},    // 78
	{"Au", 196.96656879, 197},   // 79
	{"Hg", 201.97064340, 202},   // 80
	{"Tl", 204.9744278, 205},    // 81
	{"Pb", 207.9766525, 208},    // 82
	{"Bi", 208.9803991, 209},    // 83
	{"Po", 208.9824308, 209},    // 84
	{"At", 209.9871479, 210},    // 85
	{"Rn", 222.0175782, 222},    // 86
	{"Fr", 223.0197360, 223},    // 87
	{"Ra", 226.0254103, 226},    // 88
	{"Ac", 227.0277523, 227},    // 89
	{"Th", 232.0380558, 232},    // 90
	{"Pa", 231.0358842, 231},    // 91
	{"U", 238.0507884, 238},     // 92
	{"Np", 237.0481736, 237},    // 93
	{"Pu", 244.0642053, 244},    // 94
	{"Am", 243.0613813, 243},    // 95
	{"Cm", 247.0703541, 247},    // 96
	{"Bk", 247.0703073, 247},    // 97
	{"Cf", 251.0795886, 251},    // 98
	{"Es", 252.082980, 252},     // 99
	{"Fm", 257.0951061, 257},    // 100
	{"Md", 258.0984315, 258},    // 101
	{"No", 259.10103, 259},      // 102
	{"Lr", 266.11983, 266},      // 103
	{"Rf", 267.12179, 267},      // 104
	{"Db", 268.12567, 268},      // 105
	{"Sg", 271.13393, 271},      // 106
	{"Bh", 270.13336, 270},      // 107
	{"Hs", 269.13375, 269},      // 108
	{"Mt", 278.15631, 278},      // 109
	{"Ds", 281.16451, 281},      // 110
	{"Rg", 282.16912, 282},      // 111
	{"Cn", 285.17712, 285},      // 112
	{"Nh", 286.18221, 286},      // 113
	{"Fl", 289.19042, 289},      // 114
	{"Mc", 289.19363, 289},      // 115
	{"Lv", 293.20449, 293},      // 116
	{"Ts", 294.21046, 294},      // 117
	{"Og", 294.21392, 294},      // 118
}

// MaxZ is the largest atomic number known to ElementSymbol.
const MaxZ = len(elements)

var symbolToZ = func() map[string]int {
	m := make(map[string]int, len(elements))
	for i, e := range elements {
		m[strings.ToUpper(e.Symbol)] = i + 1
	}
	return m
}()

// ElementZ returns the atomic number of an element symbol, case-insensitively ("he", "HE"
// and "He" are helium). It knows H to Og; ghost prefixes and labels are the parsers' business.
func ElementZ(symbol string) (int, bool) {
	z, ok := symbolToZ[strings.ToUpper(symbol)] // no white space: " O\n" is no symbol
	return z, ok
}

// ElementSymbol returns the capitalized symbol of atomic number z ("He" for 2), or "" if z
// is out of range.
func ElementSymbol(z int) string {
	if z < 1 || z > len(elements) {
		return ""
	}
	return elements[z-1].Symbol
}

// CanonicalSymbol returns symbol with QCSchema capitalization ("he" -> "He").
func CanonicalSymbol(symbol string) (string, bool) {
	z, ok := ElementZ(symbol)
	if !ok {
		return "", false
	}
	return elements[z-1].Symbol, true
}

// ElementMass returns the mass [u] QCElemental gives atomic number z: that of the most
// abundant isotope (longest-lived for radioactive elements). It returns 0 if z is out of range.
func ElementMass(z int) float64 {
	if z < 1 || z > len(elements) {
		return 0
	}
	return elements[z-1].Mass
}

// ElementMassNumber returns the mass number of the isotope whose mass ElementMass returns,
// or 0 if z is out of range.
func ElementMassNumber(z int) int {
	if z < 1 || z > len(elements) {
		return 0
	}
	return elements[z-1].MassNumber
}

// SymbolMass is ElementMass by symbol.
func SymbolMass(symbol string) (float64, bool) {
	z, ok := ElementZ(symbol)
	if !ok {
		return 0, false
	}
	return elements[z-1].Mass, true
}
