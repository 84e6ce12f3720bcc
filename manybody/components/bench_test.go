package components_test

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/components"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// writeAnalyzeCase writes input.json and components.json for n waters on a grid through
// nbody-body with the given BSSE treatments and driver, with seeded random fragment
// results, and returns the directory.
func writeAnalyzeCase(tb testing.TB, n, nbody int, driver qcschema.Driver, bsse ...qcschema.BsseType) string {
	tb.Helper()
	side := int(math.Ceil(math.Sqrt(float64(n))))
	m := qcschema.Molecule{MolecularMultiplicity: 1}
	for i := 0; i < n; i++ {
		x, y, z := 5.5*float64(i%side), 5.5*float64(i/side), 0.3*float64(i%3)
		base := len(m.Symbols)
		m.Symbols = append(m.Symbols, "O", "H", "H")
		m.Geometry = append(m.Geometry, x, y, z, x+1.43, y+1.11, z, x-1.43, y+1.11, z)
		m.Fragments = append(m.Fragments, []int{base, base + 1, base + 2})
	}
	in := qcschema.ManyBodyInput{Molecule: m}
	in.Specification.Driver = driver
	in.Specification.Specification = map[string]qcschema.AtomicSpecification{"mp2": {Program: "embedded", Model: qcschema.Model{Method: "mp2", Basis: "6-31g"}}}
	in.Specification.Keywords.BsseType = qcschema.BsseList(bsse)
	in.Specification.Keywords.MaxNbody = &nbody
	levels := map[int]string{}
	for k := 1; k <= nbody; k++ {
		levels[k] = "mp2"
	}
	core, err := manybody.NewCore(&m, manybody.Keywords{BsseType: bsse, Levels: levels, ReturnTotalData: true})
	require.NoError(tb, err)
	rng := rand.New(rand.NewSource(1))
	var comps []map[string]any
	for _, t := range core.Plan().Tasks {
		sub, err := core.Molecule(t)
		require.NoError(tb, err)
		c := map[string]any{"mc": "mp2", "real": t.Real, "basis": t.Basis, "energy": -76*float64(len(t.Real)) + rng.Float64()}
		if driver != qcschema.DriverEnergy {
			g := make([][3]float64, len(sub.Symbols))
			for i := range g {
				g[i] = [3]float64{rng.Float64() - .5, rng.Float64() - .5, rng.Float64() - .5}
			}
			c["gradient"] = g
		}
		comps = append(comps, c)
	}
	dir := tb.TempDir()
	for name, v := range map[string]any{"input.json": &in, "components.json": comps} {
		data, err := json.Marshal(v)
		require.NoError(tb, err)
		require.NoError(tb, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	return dir
}

// BenchmarkAnalyze is what qcmb analyze does, files to result: read and plan the input,
// read the components (ReadFile), assemble and write the indented result, for water
// clusters: water-16 MBE-3 cp+nocp+vmfc gradient (4,992 tasks) and water-64 MBE-3 nocp
// gradient (43,744 tasks). QCMB_ANALYZE_BENCH_DIR names another directory with input.json
// and components.json.
func BenchmarkAnalyze(b *testing.B) {
	cases := []struct {
		name   string
		n, nb  int
		bsse   []qcschema.BsseType
		custom string
	}{
		{name: "water16-mbe3-cp-nocp-vmfc-gradient", n: 16, nb: 3, bsse: []qcschema.BsseType{"cp", "nocp", "vmfc"}},
		{name: "water64-mbe3-nocp-gradient", n: 64, nb: 3, bsse: []qcschema.BsseType{"nocp"}},
	}
	if dir := os.Getenv("QCMB_ANALYZE_BENCH_DIR"); dir != "" {
		cases = append(cases, struct {
			name   string
			n, nb  int
			bsse   []qcschema.BsseType
			custom string
		}{name: "custom", custom: dir})
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			dir := c.custom
			if dir == "" {
				dir = writeAnalyzeCase(b, c.n, c.nb, qcschema.DriverGradient, c.bsse...)
			}
			fi, err := os.Stat(filepath.Join(dir, "components.json"))
			require.NoError(b, err)
			b.SetBytes(fi.Size())
			b.ResetTimer()
			for b.Loop() {
				require.NoError(b, analyze(filepath.Join(dir, "input.json"), filepath.Join(dir, "components.json"), io.Discard), "analyze")
			}
		})
	}
}

// analyze writes to w the ManyBodyResult of the input in inputPath assembled from the
// components in componentsPath, as qcmb analyze does.
func analyze(inputPath, componentsPath string, w io.Writer) error {
	data, err := os.ReadFile(inputPath)
	if err != nil {
		return err
	}
	in, _, err := qcschema.DecodeManyBodyInput(data)
	if err != nil {
		return err
	}
	p, err := computer.PreparePlan(in)
	if err != nil {
		return err
	}
	set, err := components.ReadFile(context.Background(), componentsPath, p)
	if err != nil {
		return err
	}
	res, err := set.Assemble(p)
	if err != nil {
		return err
	}
	return outfile.WriteJSON(w, res)
}
