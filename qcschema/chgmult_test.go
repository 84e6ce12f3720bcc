package qcschema

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bruteChgMult is a direct port of QCElemental's exponential candidate search
// (molparse.chgmult.validate_and_fill_chgmult), the reference for ReconcileChargeMult.
func bruteChgMult(fzel []int, C *int, fcIn []*int, M *int, fmIn []*int) (c int, fc []int, m int, fm []int, ok bool) {
	nfr := len(fzel)
	mod2 := func(x int) int { return ((x % 2) + 2) % 2 }
	zel := 0
	for _, z := range fzel {
		zel += z
	}
	hs := func(l []int) int {
		s := 1
		for _, x := range l {
			s += x - 1
		}
		return s
	}
	uniq := func(l []int) []int {
		var out []int
		for _, x := range l {
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		return out
	}
	sumKnown := 0
	anyFmNone := false
	for i := 0; i < nfr; i++ {
		if fcIn[i] != nil {
			sumKnown += *fcIn[i]
		}
		if fmIn[i] == nil {
			anyFmNone = true
		}
	}
	var exactC []int
	if C != nil {
		exactC = append(exactC, *C)
	}
	exactC = uniq(append(exactC, sumKnown))
	missing := -sumKnown
	if C != nil {
		missing += *C
	}
	exactFC := make([][]int, nfr)
	for i := range exactFC {
		if fcIn[i] != nil {
			exactFC[i] = []int{*fcIn[i]}
		} else {
			exactFC[i] = uniq([]int{missing, 0})
		}
	}
	var exactM []int
	if M != nil {
		exactM = []int{*M}
	} else {
		lo, hi := 1, 1
		for i := 0; i < nfr; i++ {
			if fmIn[i] != nil {
				lo += *fmIn[i] - 1
				hi += *fmIn[i] - 1
			} else {
				hi++
			}
		}
		for x := lo; x <= hi; x++ {
			exactM = append(exactM, x)
		}
	}
	missHi, missLo := 0, 0
	if M != nil && anyFmNone {
		lo, hi := 1, 1
		removed := false
		for i := 0; i < nfr; i++ {
			if fmIn[i] != nil {
				lo += *fmIn[i] - 1
				hi += *fmIn[i] - 1
			} else if !removed {
				removed = true
			} else {
				hi++
			}
		}
		missHi = *M - lo + 1
		missLo = *M - hi + 1
	}
	exactFM := make([][]int, nfr)
	for i := range exactFM {
		if fmIn[i] != nil {
			exactFM[i] = []int{*fmIn[i]}
			continue
		}
		var l []int
		for x := missHi; x >= max(missLo, 1); x-- {
			l = append(l, x)
		}
		exactFM[i] = uniq(append(l, 1, 2))
	}
	test := func(c int, fc []int, m int, fm []int) bool {
		s := 0
		for _, x := range fc {
			s += x
		}
		if c != s || m < 1 {
			return false
		}
		if C != nil && c != *C {
			return false
		}
		if m-1 > zel-c || mod2(m) == mod2(zel-c) {
			return false
		}
		for i := 0; i < nfr; i++ {
			if fm[i] < 1 || fm[i]-1 > fzel[i]-fc[i] || mod2(fm[i]) == mod2(fzel[i]-fc[i]) {
				return false
			}
			if fzel[i] == 0 && (fc[i] != 0 || fm[i] != 1) {
				return false
			}
		}
		if (M == nil || anyFmNone) && m != hs(fm) {
			return false
		}
		return true
	}
	// product iterates the last index fastest
	var prod func(lists [][]int, visit func([]int) bool) bool
	prod = func(lists [][]int, visit func([]int) bool) bool {
		idx := make([]int, len(lists))
		cur := make([]int, len(lists))
		for {
			for i := range lists {
				cur[i] = lists[i][idx[i]]
			}
			if visit(cur) {
				return true
			}
			k := len(lists) - 1
			for k >= 0 {
				idx[k]++
				if idx[k] < len(lists[k]) {
					break
				}
				idx[k] = 0
				k--
			}
			if k < 0 {
				return false
			}
		}
	}
	for _, cc := range exactC {
		found := prod(exactFC, func(cfc []int) bool {
			for _, cm := range exactM {
				if prod(exactFM, func(cfm []int) bool {
					if test(cc, cfc, cm, cfm) {
						c, fc, m, fm = cc, slices.Clone(cfc), cm, slices.Clone(cfm)
						return true
					}
					return false
				}) {
					return true
				}
			}
			return false
		})
		if found {
			return c, fc, m, fm, true
		}
	}
	return 0, nil, 0, nil, false
}

func fptr(x float64) *float64 { return &x }

func TestReconcileChargeMultDocExamples(t *testing.T) {
	sys := map[string][]int{
		"He": {2}, "He/He": {2, 2}, "Ne/He/He": {10, 2, 2}, "He/He/Ne": {2, 2, 10}, "Ne/Ne": {10, 10},
		"He/He/He": {2, 2, 2}, "H": {1}, "funnyH": {0}, "funnierH": {-1}, "H/H": {1, 1}, "H/He": {1, 2},
		"H/He/Na/Ne": {1, 2, 11, 10}, "N/N/N": {7, 7, 7}, "N/Ne/N": {7, 10, 7}, "He/Gh": {2, 0},
		"Gh/He": {0, 2}, "Gh": {0}, "Gh/He/Ne": {0, 2, 10}, "Gh/He/Gh": {0, 2, 0},
	}
	type want struct {
		c  int
		fc []int
		m  int
		fm []int
	}
	P := func(x any) *float64 {
		if x == nil {
			return nil
		}
		return fptr(float64(x.(int)))
	}
	cases := []struct {
		sys    string
		c      any
		fc     []any
		m      any
		fm     []any
		expect *want // nil: error
	}{
		{"He", 0, []any{0}, 1, []any{1}, &want{0, []int{0}, 1, []int{1}}},
		{"He", nil, []any{nil}, nil, []any{nil}, &want{0, []int{0}, 1, []int{1}}},
		{"He/He", nil, []any{nil, nil}, nil, []any{nil, nil}, &want{0, []int{0, 0}, 1, []int{1, 1}}},
		{"He/He", 2, []any{nil, nil}, nil, []any{nil, nil}, &want{2, []int{2, 0}, 1, []int{1, 1}}},
		{"He/He", nil, []any{2, nil}, nil, []any{nil, nil}, &want{2, []int{2, 0}, 1, []int{1, 1}}},
		{"He/He", 0, []any{2, nil}, nil, []any{nil, nil}, &want{0, []int{2, -2}, 1, []int{1, 1}}},
		{"Ne/He/He", -2, []any{nil, 2, nil}, nil, []any{nil, nil, nil}, &want{-2, []int{-4, 2, 0}, 1, []int{1, 1, 1}}},
		{"Ne/He/He", 2, []any{nil, -2, nil}, nil, []any{nil, nil, nil}, &want{2, []int{4, -2, 0}, 1, []int{1, 1, 1}}},
		{"He/He/Ne", 2, []any{nil, -2, nil}, nil, []any{nil, nil, nil}, &want{2, []int{0, -2, 4}, 1, []int{1, 1, 1}}},
		{"He/He/Ne", 2, []any{nil, -2, 0}, nil, []any{nil, nil, nil}, nil},
		{"He/He/Ne", 2, []any{2, -2, nil}, nil, []any{nil, nil, nil}, &want{2, []int{2, -2, 2}, 1, []int{1, 1, 1}}},
		{"He/He", nil, []any{-2, 2}, nil, []any{nil, nil}, &want{0, []int{-2, 2}, 1, []int{1, 1}}},
		{"He/He", nil, []any{nil, -2}, nil, []any{nil, nil}, &want{-2, []int{0, -2}, 1, []int{1, 1}}},
		{"Ne/Ne", 0, []any{nil, 4}, nil, []any{nil, nil}, &want{0, []int{-4, 4}, 1, []int{1, 1}}},
		{"He/He/He", 4, []any{2, nil, nil}, nil, []any{nil, nil, nil}, &want{4, []int{2, 2, 0}, 1, []int{1, 1, 1}}},
		{"He/He", 0, []any{-2, 2}, nil, []any{nil, nil}, &want{0, []int{-2, 2}, 1, []int{1, 1}}},
		{"He/He", 0, []any{-2, -2}, nil, []any{nil, nil}, nil},
		{"He", nil, []any{nil}, nil, []any{1}, &want{0, []int{0}, 1, []int{1}}},
		{"He", nil, []any{nil}, nil, []any{2}, nil},
		{"He", nil, []any{nil}, nil, []any{3}, &want{0, []int{0}, 3, []int{3}}},
		{"He", nil, []any{nil}, nil, []any{5}, nil},
		{"He", nil, []any{-1}, nil, []any{2}, &want{-1, []int{-1}, 2, []int{2}}},
		{"He", nil, []any{-2}, nil, []any{2}, nil},
		{"He/He", nil, []any{nil, nil}, nil, []any{1, 1}, &want{0, []int{0, 0}, 1, []int{1, 1}}},
		{"He/He", nil, []any{nil, nil}, nil, []any{3, 1}, &want{0, []int{0, 0}, 3, []int{3, 1}}},
		{"He/He", nil, []any{nil, nil}, nil, []any{1, 3}, &want{0, []int{0, 0}, 3, []int{1, 3}}},
		{"He/He", nil, []any{nil, nil}, nil, []any{3, 3}, &want{0, []int{0, 0}, 5, []int{3, 3}}},
		{"He/He", nil, []any{nil, nil}, 3, []any{3, 3}, &want{0, []int{0, 0}, 3, []int{3, 3}}},
		{"He/He", nil, []any{nil, nil}, 2, []any{3, 3}, nil},
		{"H", nil, []any{nil}, nil, []any{nil}, &want{0, []int{0}, 2, []int{2}}},
		{"H", 1, []any{nil}, nil, []any{nil}, &want{1, []int{1}, 1, []int{1}}},
		{"H", nil, []any{-1}, nil, []any{nil}, &want{-1, []int{-1}, 1, []int{1}}},
		{"funnyH", nil, []any{nil}, nil, []any{nil}, &want{0, []int{0}, 1, []int{1}}},
		{"funnierH", nil, []any{nil}, nil, []any{nil}, nil},
		{"H/H", nil, []any{nil, nil}, nil, []any{nil, nil}, &want{0, []int{0, 0}, 3, []int{2, 2}}},
		{"H/He", nil, []any{nil, nil}, nil, []any{nil, nil}, &want{0, []int{0, 0}, 2, []int{2, 1}}},
		{"H/He", nil, []any{1, 1}, nil, []any{nil, nil}, &want{2, []int{1, 1}, 2, []int{1, 2}}},
		{"H/He", -2, []any{-1, nil}, nil, []any{nil, nil}, &want{-2, []int{-1, -1}, 2, []int{1, 2}}},
		{"H/He/Na/Ne", nil, []any{1, nil, 1, nil}, nil, []any{nil, nil, nil, nil}, &want{2, []int{1, 0, 1, 0}, 1, []int{1, 1, 1, 1}}},
		{"H/He/Na/Ne", nil, []any{-1, nil, 1, nil}, nil, []any{nil, nil, nil, nil}, &want{0, []int{-1, 0, 1, 0}, 1, []int{1, 1, 1, 1}}},
		{"H/He/Na/Ne", 2, []any{nil, nil, 1, nil}, nil, []any{nil, nil, nil, nil}, &want{2, []int{1, 0, 1, 0}, 1, []int{1, 1, 1, 1}}},
		{"H/He/Na/Ne", 3, []any{nil, nil, 1, nil}, nil, []any{nil, nil, nil, nil}, &want{3, []int{0, 2, 1, 0}, 2, []int{2, 1, 1, 1}}},
		{"H/He", nil, []any{1, nil}, nil, []any{2, nil}, nil},
		{"H/He", nil, []any{nil, 0}, nil, []any{nil, 2}, nil},
		{"H/He", nil, []any{nil, -1}, nil, []any{nil, 3}, nil},
		{"H/He/Na/Ne", nil, []any{nil, 1, 0, 1}, nil, []any{nil, nil, nil, nil}, &want{2, []int{0, 1, 0, 1}, 5, []int{2, 2, 2, 2}}},
		{"H/He/Na/Ne", nil, []any{nil, 1, 0, nil}, nil, []any{nil, nil, nil, nil}, &want{1, []int{0, 1, 0, 0}, 4, []int{2, 2, 2, 1}}},
		{"H/He/Na/Ne", nil, []any{nil, 1, 0, nil}, nil, []any{nil, nil, 4, nil}, &want{1, []int{0, 1, 0, 0}, 6, []int{2, 2, 4, 1}}},
		{"He/He/He", 0, []any{nil, nil, 1}, nil, []any{1, nil, 2}, &want{0, []int{0, -1, 1}, 3, []int{1, 2, 2}}},
		{"N/N/N", nil, []any{1, 1, 1}, 3, []any{nil, 3, nil}, &want{3, []int{1, 1, 1}, 3, []int{1, 3, 1}}},
		{"N/N/N", nil, []any{1, 1, 1}, 3, []any{nil, nil, nil}, &want{3, []int{1, 1, 1}, 3, []int{3, 1, 1}}},
		{"N/N/N", nil, []any{nil, nil, nil}, 3, []any{nil, nil, 2}, nil},
		{"N/N/N", 1, []any{nil, -1, nil}, 3, []any{nil, nil, 2}, &want{1, []int{2, -1, 0}, 3, []int{2, 1, 2}}},
		{"N/Ne/N", 1, []any{nil, nil, nil}, 4, []any{nil, 3, nil}, &want{1, []int{1, 0, 0}, 4, []int{1, 3, 2}}},
		{"N/Ne/N", nil, []any{nil, nil, 1}, 4, []any{nil, 3, nil}, &want{1, []int{0, 0, 1}, 4, []int{2, 3, 1}}},
		{"He/He", nil, []any{-1, 1}, nil, []any{nil, nil}, &want{0, []int{-1, 1}, 3, []int{2, 2}}},
		{"Gh", 1, []any{nil}, nil, []any{nil}, nil},
		{"Gh", -1, []any{nil}, nil, []any{nil}, nil},
		{"Gh", nil, []any{nil}, 3, []any{nil}, nil},
		{"He/Gh", nil, []any{2, nil}, nil, []any{nil, nil}, &want{2, []int{2, 0}, 1, []int{1, 1}}},
		{"Gh/He", nil, []any{2, nil}, nil, []any{nil, nil}, nil},
		{"Gh/He/Ne", 2, []any{nil, -2, nil}, nil, []any{nil, nil, nil}, &want{2, []int{0, -2, 4}, 1, []int{1, 1, 1}}},
		{"Gh/He/Gh", 1, []any{nil, nil, nil}, nil, []any{nil, nil, nil}, &want{1, []int{0, 1, 0}, 2, []int{1, 2, 1}}},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%02d_%s", i+1, tc.sys), func(t *testing.T) {
			fc := make([]*float64, len(tc.fc))
			for k, x := range tc.fc {
				fc[k] = P(x)
			}
			fm := make([]*float64, len(tc.fm))
			for k, x := range tc.fm {
				fm[k] = P(x)
			}
			got, err := ReconcileChargeMult(sys[tc.sys], P(tc.c), fc, P(tc.m), fm)
			if tc.expect == nil {
				var ve *ValidationError
				require.ErrorAs(t, err, &ve, "got %+v", got)
				return
			}
			require.NoError(t, err)
			w := tc.expect
			assert.Equal(t, chargeMult(w.c, w.fc, w.m, w.fm), got)
		})
	}
}

// chargeMult is the ChargeMult of integer charges and multiplicities.
func chargeMult(c int, fc []int, m int, fm []int) *ChargeMult {
	return &ChargeMult{MolecularCharge: float64(c), FragmentCharges: ints2f(fc), MolecularMultiplicity: float64(m), FragmentMultiplicities: ints2f(fm)}
}

func ints2f(xs []int) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

// TestReconcileChargeMultMatchesBruteForce compares with the exponential reference on
// random small systems, including the awkward "missing multiplicity" cases.
func TestReconcileChargeMultMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	zs := []int{0, 1, 2, 3, 7, 8, 10, 11, 26}
	type config struct{ maxFr, maxM, iters int }
	configs := []config{{4, 9, 20000}, {6, 16, 1500}}
	if testing.Short() {
		configs = []config{{4, 9, 3000}, {6, 16, 200}}
	}
	for _, cfg := range configs {
		testRandomChgMult(t, rng, zs, cfg.maxFr, cfg.maxM, cfg.iters)
	}
}

func testRandomChgMult(t *testing.T, rng *rand.Rand, zs []int, maxFr, maxM, n int) {
	t.Helper()
	for iter := 0; iter < n; iter++ {
		nfr := 1 + rng.Intn(maxFr)
		fzel := make([]int, nfr)
		for i := range fzel {
			fzel[i] = zs[rng.Intn(len(zs))]
		}
		pick := func(p float64, lo, hi int) *int {
			if rng.Float64() < p {
				return nil
			}
			x := lo + rng.Intn(hi-lo+1)
			return &x
		}
		C := pick(0.5, -3, 3)
		M := pick(0.5, 1, maxM)
		fcI := make([]*int, nfr)
		fmI := make([]*int, nfr)
		for i := 0; i < nfr; i++ {
			fcI[i] = pick(0.6, -2, 2)
			fmI[i] = pick(0.6, 1, 5)
		}
		toF := func(p *int) *float64 {
			if p == nil {
				return nil
			}
			return fptr(float64(*p))
		}
		fcF := make([]*float64, nfr)
		fmF := make([]*float64, nfr)
		for i := 0; i < nfr; i++ {
			fcF[i], fmF[i] = toF(fcI[i]), toF(fmI[i])
		}
		c, fc, m, fm, ok := bruteChgMult(fzel, C, fcI, M, fmI)
		got, err := ReconcileChargeMult(fzel, toF(C), fcF, toF(M), fmF)
		desc := fmt.Sprintf("fzel=%v C=%v fc=%v M=%v fm=%v", fzel, deref(C), derefs(fcI), deref(M), derefs(fmI))
		if !ok {
			require.Error(t, err, "%s: brute force finds no solution, got %+v", desc, got)
			continue
		}
		require.NoError(t, err, desc)
		require.Equal(t, chargeMult(c, fc, m, fm), got, desc)
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func derefs(ps []*int) []any {
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = deref(p)
	}
	return out
}

// TestReconcileChargeMult64Fragments: 64 fragments, which QCElemental's product search
// could never finish, in well under a second.
func TestReconcileChargeMult64Fragments(t *testing.T) {
	const nfr = 64
	cases := []struct {
		name string
		fz   []int
		c    *float64
		fc   []*float64
		m    *float64
		fm   []*float64
		// checks
		wantC, wantM float64
	}{
		{"water64_defaults", rep(10, nfr), nil, nil, nil, nil, 0, 1},
		{"water64_charge_on_last", rep(10, nfr), fptr(-1), withLastUnknown(nfr, 0), nil, nil, -1, 2},
		{"oh64_highspin", rep(9, nfr), nil, nil, nil, nil, 0, 65},
		{"oh64_given_mult", rep(9, nfr), nil, nil, fptr(67), nil, 0, 67}, // one fragment is a quartet
		{"water64_given_mult_large", rep(10, nfr), nil, nil, fptr(41), nil, 0, 41},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			got, err := ReconcileChargeMult(tc.fz, tc.c, tc.fc, tc.m, tc.fm)
			require.NoError(t, err)
			assert.LessOrEqual(t, time.Since(start), time.Second, "time taken")
			assert.Equal(t, tc.wantC, got.MolecularCharge, "molecular charge")
			assert.Equal(t, tc.wantM, got.MolecularMultiplicity, "molecular multiplicity")
			sc, hs := 0.0, 1.0
			for i := range got.FragmentCharges {
				sc += got.FragmentCharges[i]
				hs += got.FragmentMultiplicities[i] - 1
			}
			assert.Equal(t, got.MolecularCharge, sc, "fragment charges summed")
			assert.Equal(t, got.MolecularMultiplicity, hs, "fragment multiplicities' high-spin sum")
		})
	}
	// 40 unpaired electrons go to the first fragments, as many as each holds (QCElemental's
	// candidate order tries the largest first).
	got, err := ReconcileChargeMult(rep(10, nfr), nil, nil, fptr(41), nil)
	require.NoError(t, err)
	assert.Equal(t, []float64{11, 11, 11, 11, 1}, got.FragmentMultiplicities[:5], "first multiplicities")
	got, err = ReconcileChargeMult(rep(9, nfr), nil, nil, fptr(67), nil)
	require.NoError(t, err)
	assert.Equal(t, []float64{4, 2, 2}, got.FragmentMultiplicities[:3], "OH: first multiplicities")
	// a residual charge that no fragment can take: two He and 62 ghost fragments
	fz := rep(0, nfr)
	fz[0], fz[1] = 2, 2
	_, err = ReconcileChargeMult(fz, fptr(4), nil, nil, nil)
	var ve *ValidationError
	if assert.ErrorAs(t, err, &ve, "ghost-only charged") {
		assert.Equal(t, "fragment_charges", ve.Field, "ghost-only charged: %v", err)
	}
}

func rep(x, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = x
	}
	return out
}

func withLastUnknown(n int, v float64) []*float64 {
	out := make([]*float64, n)
	for i := 0; i < n-1; i++ {
		out[i] = fptr(v)
	}
	return out
}
