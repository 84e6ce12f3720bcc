package lattice

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// benzeneInput is benzene through tetramers with cutoffs of production runs: dimers within
// 10 Å, trimers within 7 Å, tetramers within 5 Å, an automatic supercell (9 x 7 x 9 cells,
// 27,216 atoms, 596 monomers).
func benzeneInput() *Input {
	in := DefaultInput()
	in.CIF = crystalatteDir + "/data/cif/Benzene.cif"
	in.NmersUpTo = 4
	in.RCutCOM, in.RCutDimer, in.RCutTrimer, in.RCutTetramer = 20, 10, 7, 5
	in.BSSE = "cp"
	return &in
}

// BenchmarkEnumerate: supercell, molecules and unique n-mers of benzene (87 n-mers).
func BenchmarkEnumerate(b *testing.B) {
	in := benzeneInput()
	for b.Loop() {
		cr, err := Load(in)
		require.NoError(b, err)
		require.Len(b, cr.Nmers, 87)
	}
}

// BenchmarkPlan: the expansions of benzene's 87 n-mers and their distinct calculations.
func BenchmarkPlan(b *testing.B) {
	cr, err := Load(benzeneInput())
	require.NoError(b, err)
	for b.Loop() {
		p, err := NewPlan(context.Background(), cr, Psi4)
		require.NoError(b, err)
		require.Equal(b, 557, p.Planned)
	}
}
