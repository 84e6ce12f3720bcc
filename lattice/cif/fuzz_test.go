package cif_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/lattice/cif"
)

// FuzzParse: no input makes the CIF reader panic or quote more than a short excerpt in its
// error, and a structure it accepts has a cell of finite positive lengths, angles between 0
// and 180 degrees and finite fractional coordinates. The seeds are CIF files CrystaLattE
// ships and broken ones; go test runs them, go test -fuzz=FuzzParse explores further.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"ammonia.cif", "carbon_dioxide.cif", "benzene.cif"} {
		data, err := os.ReadFile(filepath.Join("../../testdata/crystalatte/Cifs", name))
		require.NoError(f, err)
		f.Add(data)
	}
	bad, err := os.ReadFile("testdata/bad.cif")
	require.NoError(f, err)
	f.Add(bad)
	f.Add([]byte("data_x\n_cell_length_a 5(\n"))
	f.Add([]byte("data_x\nloop_\n_atom_site_label\n_atom_site_fract_x\nO1 0.5\n'unterminated\n"))
	f.Add([]byte("data_x\n_cell_length_a 1e400\n_cell_angle_alpha NaN\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := cif.Parse(data)
		if err != nil {
			require.LessOrEqual(t, len(err.Error()), 4096, "error message's length")
			return
		}
		c := s.Cell
		for _, v := range []float64{c.A, c.B, c.C} {
			require.True(t, v > 0 && !math.IsInf(v, 0), "cell length %v accepted", v)
		}
		for _, v := range []float64{c.Alpha, c.Beta, c.Gamma} {
			require.True(t, v > 0 && v < 180, "cell angle %v accepted", v)
		}
		for _, site := range s.Sites {
			for _, x := range site.Fract {
				require.False(t, math.IsNaN(x) || math.IsInf(x, 0), "site %s coordinate %v accepted", site.Label, x)
			}
		}
	})
}
