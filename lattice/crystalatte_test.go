package lattice

// CrystaLattE's own regression tests (crystalatte/tests in its repository), translated:
// the values are theirs.

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/lattice/cif"
)

// mainInput is crystalatte.main()'s defaults for a CIF of testdata/crystalatte.
func mainInput(cifPath string) Input {
	in := DefaultInput()
	in.CIF = filepath.Join(crystalatteDir, cifPath)
	in.CellsA, in.CellsB, in.CellsC = 5, 5, 5
	in.RCutCOM, in.RCutMonomer = 10, 12
	return in
}

// byName finds an n-mer by CrystaLattE's name.
func byName(t *testing.T, cr *Crystal, name string) *Nmer {
	t.Helper()
	for _, n := range cr.Nmers {
		if n.Name == name {
			return n
		}
	}
	require.FailNowf(t, "no such n-mer", "%s", name)
	return nil
}

func countOrder(cr *Crystal, n int) int {
	k := 0
	for _, nm := range cr.Nmers {
		if nm.N() == n {
			k++
		}
	}
	return k
}

// test_02_ext_elem.py
func TestElementOfLabel(t *testing.T) {
	two := strings.Fields(`He Li Be Ne Na Mg Al Si Cl Ar Ca Sc Ti Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr
		Rb Sr Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er
		Tm Yb Lu Hf Ta Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa Np Pu Am Cm Bk Cf Es Fm
		Md No Lr H B C N O F P S K V Y I W U`)
	for i, want := range two {
		label := fmt.Sprintf("%s%03d", want, i+1) // "He001" ... "U103"
		got, ok := ElementOfLabel(label)
		assert.True(t, ok, label)
		assert.Equal(t, want, got, label)
	}
	for label, want := range map[string]string{"CL1": "C", "Cl1": "Cl", "HO2": "H", "C1D": "C", "N": "N"} {
		got, ok := ElementOfLabel(label)
		assert.True(t, ok)
		assert.Equal(t, want, got, label)
	}
	_, ok := ElementOfLabel("n1")
	assert.False(t, ok, "lower case is not read as an element")
}

// test_04_read_cif.py
func TestReadCIFAmmonia(t *testing.T) {
	s, err := cif.ReadFile(filepath.Join(crystalatteDir, "data/cif/Ammonia.cif"))
	require.NoError(t, err)
	assert.Equal(t, cif.Cell{A: 5.1305, B: 5.1305, C: 5.1305, Alpha: 90, Beta: 90, Gamma: 90, Volume: 135.05,
		Text: [6]string{"5.1305", "5.1305", "5.1305", "90.0000", "90.0000", "90.0000"}}, s.Cell)
	require.Len(t, s.SymOps, 1)
	assert.Equal(t, "x,y,z", s.SymOps[0].Text)
	labels := "N N N N H H H H H H H H H H H H"
	x := []float64{0.2107, 0.7107, 0.7893, 0.2893, 0.3689, 0.2671, 0.1159, 0.8689, 0.7671, 0.6159, 0.7329, 0.8841, 0.3841, 0.1311, 0.2329, 0.6311}
	y := []float64{0.2107, 0.2893, 0.7107, 0.7893, 0.2671, 0.1159, 0.3689, 0.2329, 0.3841, 0.1311, 0.6159, 0.8689, 0.6311, 0.7329, 0.8841, 0.7671}
	z := []float64{0.2107, 0.7893, 0.2893, 0.7107, 0.1159, 0.3689, 0.2671, 0.8841, 0.6311, 0.7329, 0.1311, 0.2329, 0.7671, 0.6159, 0.8689, 0.3841}
	require.Len(t, s.Sites, 16)
	for i, l := range strings.Fields(labels) {
		assert.Equal(t, l, s.Sites[i].Label)
		assert.Equal(t, [3]float64{x[i], y[i], z[i]}, s.Sites[i].Fract)
	}
}

// ammoniaCell is the supercell of test_06_cif_main.py and test_07_ctr_scell.py: one
// unit cell of ammonia.
func ammoniaCell(t *testing.T) *Supercell {
	s, err := cif.ReadFile(filepath.Join(crystalatteDir, "data/cif/Ammonia.cif"))
	require.NoError(t, err)
	sc, err := BuildSupercell(s, [3]int{1, 1, 1}, 0, 0)
	require.NoError(t, err)
	return sc
}

// test_06_cif_main.py (and test_03_write_xyz.py's layout)
func TestSupercellXYZ(t *testing.T) {
	sc := ammoniaCell(t)
	var b bytes.Buffer
	require.NoError(t, sc.WriteXYZ(&b))
	ref := `16
        Crystal created from CIF file. Box size:       5.130500000000       5.130500000000       5.130500000000
        N                1.484253650000       4.049503650000       3.646246350000
        N                4.049503650000       3.646246350000       1.484253650000
        N                3.646246350000       1.484253650000       4.049503650000
        N                1.080996350000       1.080996350000       1.080996350000
        H                3.237858550000       3.935606550000       1.970625050000
        H                1.194893450000       4.535875050000       4.457891450000
        H                0.672608550000       3.760143450000       3.159874950000
        H                1.970625050000       3.237858550000       3.935606550000
        H                4.535875050000       4.457891450000       1.194893450000
        H                3.760143450000       3.159874950000       0.672608550000
        H                3.159874950000       0.672608550000       3.760143450000
        H                3.935606550000       1.970625050000       3.237858550000
        H                4.457891450000       1.194893450000       4.535875050000
        H                0.594624950000       1.892641450000       1.370356550000
        H                1.370356550000       0.594624950000       1.892641450000
        H                1.892641450000       1.370356550000       0.594624950000`
	want := strings.Split(ref, "\n")
	got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, strings.TrimSpace(want[i]), strings.TrimSpace(got[i]), "line %d", i+1)
	}
}

// test_07_ctr_scell.py
func TestSupercellCentred(t *testing.T) {
	sc := ammoniaCell(t)
	want := [][3]float64{
		{-0.91910799, 3.92851196, 3.16646478}, {3.92851196, 3.16646478, -0.91910799},
		{3.16646478, -0.91910799, 3.92851196}, {-1.68115516, -1.68115516, -1.68115516},
		{2.3947252, 3.71327782, 0.}, {-1.46592103, 4.84761994, 4.70025154},
		{-2.45289475, 3.38169892, 2.24735679}, {0., 2.3947252, 3.71327782},
		{4.84761994, 4.70025154, -1.46592103}, {3.38169892, 2.24735679, -2.45289475},
		{2.24735679, -2.45289475, 3.38169892}, {3.71327782, 0., 2.3947252},
		{4.70025154, -1.46592103, 4.84761994}, {-2.60026315, -0.1473684, -1.13434212},
		{-1.13434212, -2.60026315, -0.1473684}, {-0.1473684, -1.13434212, -2.60026315},
	}
	require.Len(t, sc.Geom, len(want))
	for i := range want {
		for k := range 3 {
			assert.InDelta(t, want[i][k], sc.Geom[i][k], 1e-6, "atom %d", i)
		}
	}
	assert.Equal(t, strings.Fields("N N N N H H H H H H H H H H H H"), sc.Symbols)
	for k := range 3 {
		hi := math.Inf(-1)
		for _, g := range sc.Geom {
			hi = math.Max(hi, g[k])
		}
		assert.InDelta(t, 4.84761994, hi, 1e-6)
	}
}

// test_91_amm_timings.py, test mode.
func TestAmmoniaPentamers(t *testing.T) {
	in := mainInput("data/cif/Ammonia.cif")
	in.CellsA, in.CellsB, in.CellsC = 3, 3, 3
	in.NmersUpTo = 5
	in.RCutCOM, in.RCutMonomer, in.RCutDimer, in.RCutTrimer, in.RCutTetramer, in.RCutPentamer = 6.5, 3.5, 2.6, 3.7, 3.7, 6.1
	in.BSSE = "nocp"
	cr, err := Load(&in)
	require.NoError(t, err)
	assert.Len(t, cr.Monomers, 7)
	for n, want := range map[int]int{2: 1, 3: 2, 4: 1, 5: 1} {
		assert.Equal(t, want, countOrder(cr, n), "%d-mers", n)
	}
	for _, nm := range cr.Nmers {
		for _, a := range nm.AtomsPerMonomer {
			assert.Equal(t, 4, a)
		}
	}
	// As there: the numbering of the second trimer is not stable, so it is taken by order.
	var trimers []*Nmer
	for _, nm := range cr.Nmers {
		if nm.N() == 3 {
			trimers = append(trimers, nm)
		}
	}
	nmers := map[string]*Nmer{
		"2mer-0+1": byName(t, cr, "2mer-0+1"), "3mer-0+1+2": byName(t, cr, "3mer-0+1+2"), "3mer-0+1+5": trimers[1],
		"4mer-0+1+2+3": byName(t, cr, "4mer-0+1+2+3"), "5mer-0+1+2+3+4": byName(t, cr, "5mer-0+1+2+3+4"),
	}
	type want struct {
		replicas                  int
		nre, pCOM, pMin, pCut     float64
		atolCOM, atolMin, atolCut float64
		minSep, comSep            float64
		eigen                     []float64
	}
	wants := map[string]want{
		"2mer-0+1": {6, 38.181027098543616, 0.0025317103172576337, 0.008552208792327147, 1.7489237787727267e-03, 1e-5, 1e-5, 1e-10, 4.889982212459292, 7.337170476925919,
			[]float64{61.057747426825, 47.278888122977, 0.475268780429, 0.246473958505, 0.192891650536, 0.172434560462, 0.159590615089, 0.134119684833}},
		"3mer-0+1+2": {3, 79.56385358458158, 2.3782189167926454e-08, 7.570854620127571e-07, 6.255103294673478e-07, 1e-10, 1e-9, 1e-14, 4.588498416229297, 6.459398895035611,
			[]float64{68.74890504188, 47.640386591887, 46.160250779761, 0.546024355783, 0.275529905072, 0.246547337798, 0.191558119533, 0.186232649809}},
		"3mer-0+1+5": {3, 77.87321016752901, 1.6227141916361213e-08, 6.255109048743461e-07, 6.255103294189915e-07, 1e-10, 1e-9, 1e-14, 4.889982212459292, 7.337170476925917,
			[]float64{67.985532101019, 47.279161107153, 47.279161107153, 0.562618519811, 0.247973654359, 0.247973654359, 0.215072609408, 0.17507592859}},
		"4mer-0+1+2+3": {1, 136.37176983414787, 8.289215938603657e-16, 6.937449498781642e-13, 9.35585604123943e-12, 1e-18, 1e-15, 1e-19, 4.588498416229297, 6.459398895035611,
			[]float64{76.65031350828, 47.808755663003, 46.16191363632, 46.16191363632, 0.598665256802, 0.276652190605, 0.276652190605, 0.254519979836}},
		"5mer-0+1+2+3+4": {3, 194.64346863543244, 3.2435020503790996e-27, 1.441820074805934e-22, 4.005207215747089e-25, 1e-29, 1e-24, 1e-32, 4.588498416229297, 6.459398895035611,
			[]float64{81.635688941068, 50.701439488015, 47.318557217411, 46.162104945763, 45.178401675932, 0.645525934722, 0.331517648871, 0.281391408722}},
	}
	for name, w := range wants {
		nm := nmers[name]
		assert.Equal(t, w.replicas, nm.Replicas, name)
		assert.InDelta(t, w.nre, nm.NuclearRepulsion, 1e-8, name)
		assert.InDelta(t, w.pCOM, nm.PriorityCOM, w.atolCOM, name)
		assert.InDelta(t, w.pMin, nm.PriorityMin, w.atolMin, name)
		assert.InDelta(t, w.pCut, nm.PriorityCutoff, w.atolCut, name)
		assert.InDelta(t, w.minSep, minOf(nm.MinSeparations), 1e-8, name)
		assert.InDelta(t, w.comSep, minOf(nm.COMSeparations), 1e-8, name)
		assert.InDeltaSlice(t, w.eigen, nm.ChSEV[:8], 1e-7, name)
	}
}

// test_95_ben_test.py, with both filters.
func TestBenzeneDimers(t *testing.T) {
	wants := []struct {
		name     string
		replicas int
		nre      float64
		pCOM     float64
		pMin     float64
		pCut     float64
		minSep   float64
		comSep   float64
	}{
		{"2mer-0+1", 4, 564.7978818358, 0.0006907226, 0.0090014493, 0.0018724774, 4.8072405390, 11.3126785806},
		{"2mer-0+2", 4, 569.6323170325, 0.0007548316, 0.0081275168, 0.0016340945, 4.9737128407, 10.9828900652},
		{"2mer-0+6", 4, 588.8876674569, 0.0011681199, 0.0077024945, 0.0015211610, 5.0635628061, 9.4952015406},
		{"2mer-0+16", 2, 542.3197525768, 0.0004692044, 0.0014125011, 0.0001584838, 8.9125861155, 12.8690349144},
		{"2mer-0+5", 2, 507.4201406916, 0.0001772763, 0.0012169745, 0.0001299297, 9.3664029960, 17.8012201018},
		{"2mer-0+21", 2, 532.0439341175, 0.0003671724, 0.0011442584, 0.0001196829, 9.5607501286, 13.9650760671},
		{"2mer-0+12", 4, 507.4677080555, 0.0001783188, 0.0010809527, 0.0001109367, 9.7438615012, 17.7664634564},
		{"2mer-0+14", 4, 510.6225302261, 0.0001987883, 0.0009506992, 0.0000934811, 10.1699533857, 17.1344318930},
		{"2mer-0+15", 4, 509.3453310551, 0.0001987883, 0.0006261051, 0.0000535627, 11.6891856781, 17.1344318930},
		{"2mer-0+27", 4, 505.1441258078, 0.0001783188, 0.0003528237, 0.0000249312, 14.1518785972, 17.7664634564},
	}
	for _, filter := range []string{FilterChSEV, FilterDreamaligner} {
		t.Run(filter, func(t *testing.T) {
			in := mainInput("data/cif/Benzene.cif")
			in.UniqFilter = filter
			in.RCutCOM, in.RCutMonomer, in.RCutDimer = 9.5, 11.4, 11.4
			cr, err := Load(&in)
			require.NoError(t, err)
			assert.Len(t, cr.Monomers, 84)
			require.Equal(t, 10, countOrder(cr, 2))
			for _, w := range wants {
				nm := byName(t, cr, w.name)
				assert.Equal(t, []int{12, 12}, nm.AtomsPerMonomer)
				assert.Equal(t, w.replicas, nm.Replicas, w.name)
				assert.InDelta(t, w.nre, nm.NuclearRepulsion, 1e-8, w.name)
				assert.InDelta(t, w.pCOM, nm.PriorityCOM, 1e-8, w.name)
				assert.InDelta(t, w.pMin, nm.PriorityMin, 1e-8, w.name)
				assert.InDelta(t, w.pCut, nm.PriorityCutoff, 1e-8, w.name)
				assert.InDelta(t, w.minSep, minOf(nm.MinSeparations), 1e-8, w.name)
				assert.InDelta(t, w.comSep, minOf(nm.COMSeparations), 1e-8, w.name)
			}
		})
	}
}

// test_87_tri_supercell.py: a supercell with duplicate positions.
func TestTriazineDuplicates(t *testing.T) {
	in := mainInput("data/cif/Triazine.cif")
	in.CellsA, in.CellsB, in.CellsC = 3, 3, 3
	in.RCutMonomer, in.RCutDimer = 8.0, 2.9
	cr, err := Load(&in)
	require.NoError(t, err)
	assert.Positive(t, cr.Supercell.Duplicates, "duplicate positions dropped")
	assert.Len(t, cr.Monomers, 39)
	require.Equal(t, 1, countOrder(cr, 2))
	nm := byName(t, cr, "2mer-0+1")
	assert.Equal(t, []int{9, 9}, nm.AtomsPerMonomer)
	assert.Equal(t, 6, nm.Replicas)
	assert.InDelta(t, 603.1477732010773, nm.NuclearRepulsion, 1e-8)
	assert.InDelta(t, 0.00080001155, nm.PriorityCOM, 1e-8)
	assert.InDelta(t, 0.006754970684989542, nm.PriorityMin, 1e-8)
	assert.InDelta(t, 0.0012769227508507793, nm.PriorityCutoff, 1e-8)
	assert.InDelta(t, 5.2900386342782975, minOf(nm.MinSeparations), 1e-8)
	assert.InDelta(t, 10.772121612292835, minOf(nm.COMSeparations), 1e-8)
}

// test_81_less_di.py and test_83_more_penta.py
func TestNmersUpToRange(t *testing.T) {
	for _, n := range []int{1, 6} {
		in := mainInput("data/cif/Carbon_Dioxide.cif")
		in.NmersUpTo = n
		_, err := Load(&in)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "nmers_up_to")
	}
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

// Atom sites whose labels CrystaLattE's rule cannot read (Cifs/ammonia.cif labels its atoms
// "n" and "h") take their element from the type symbol or the label's letters; a type
// symbol that contradicts the label is an error.
func TestSiteElement(t *testing.T) {
	for _, tc := range []struct{ label, typ, want, err string }{
		{"N1", "", "N", ""},
		{"n", "N", "N", ""},
		{"h12", "", "H", ""},
		{"O1", "O-2", "O", ""},
		{"H2", "H+1", "H", ""},
		{"Cl1", "Cl", "Cl", ""},
		{"Nb1", "N", "", `atom site "Nb1": its label reads as Nb but its type symbol is "N"`},
		{"?", "", "", `atom site "?": cannot tell its element`},
	} {
		got, err := siteElement(tc.label, tc.typ)
		if tc.err != "" {
			require.Error(t, err, tc.label)
			assert.Contains(t, err.Error(), tc.err)
			continue
		}
		require.NoError(t, err, tc.label)
		assert.Equal(t, tc.want, got, tc.label)
	}
	s, err := cif.ReadFile(filepath.Join(crystalatteDir, "Cifs/ammonia.cif"))
	require.NoError(t, err)
	sc, err := BuildSupercell(s, [3]int{1, 1, 1}, 0, 0)
	require.NoError(t, err)
	assert.Equal(t, 16, len(sc.Symbols))
	assert.Equal(t, "N", sc.Symbols[0])
}
