package computer_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
	"github.com/qcmb-go/qcmb/stats"
)

// benchInput reads an input of testdata/adaptive/bench.
func benchInput(b *testing.B, name string) *qcschema.ManyBodyInput {
	b.Helper()
	data, err := os.ReadFile("../../testdata/adaptive/bench/" + name)
	require.NoError(b, err)
	in := new(qcschema.ManyBodyInput)
	require.NoError(b, json.Unmarshal(data, in))
	return in
}

// benchRun runs in on two pool workers and reports, besides its wall time (ns/op), the
// tasks computed (an estimator's included) and those of the target model chemistry, the
// fraction of the trimers and tetramers computed, and the workers' idle time (start-up,
// gaps and the tail waiting for the last tasks) per run.
func benchRun(b *testing.B, in *qcschema.ManyBodyInput) *qcschema.ManyBodyResult {
	b.Helper()
	var res *qcschema.ManyBodyResult
	var idle time.Duration
	var rep *stats.Report
	for b.Loop() {
		rec := stats.NewRecorder()
		c := &computer.Computer{Executor: executor.NewPool(2, executor.Options{}), Stats: rec}
		var err error
		res, err = c.Compute(context.Background(), in)
		require.NoError(b, err)
		rep = rec.Report(2)
		for _, w := range rep.Idle {
			idle += w.Idle()
		}
	}
	b.ReportMetric(float64(rep.Tasks), "tasks")
	b.ReportMetric(float64(len(res.ComponentProperties)), "target-tasks")
	b.ReportMetric(idle.Seconds()/float64(b.N), "idle-s/op")
	n := len(in.Molecule.Fragments)
	perLevel := map[int]int{}
	for label := range res.ComponentProperties {
		t, err := manybody.ParseLabel(label)
		require.NoError(b, err)
		perLevel[t.Level]++
	}
	b.ReportMetric(float64(perLevel[3])/binomial(n, 3), "trimer-frac")
	b.ReportMetric(float64(perLevel[4])/binomial(n, 4), "tetramer-frac")
	return res
}

func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// BenchmarkAdaptiveWater20 runs the nocp MBE-4 of 20 waters at HF/STO-3G with the embedded
// program on two pool workers: in full, then energy-screened at 1e-4, 3e-4 and 1e-3 hartree
// at levels 3 and 4, each reporting its error per monomer (kcal/mol) against the full run
// of the same benchmark process. Run it whole, once:
//
//	go test ./manybody/computer -run '^$' -bench AdaptiveWater20 -benchtime 1x
func BenchmarkAdaptiveWater20(b *testing.B) {
	var full float64
	for _, name := range []string{"full", "1e-4", "3e-4", "1e-3"} {
		b.Run(name, func(b *testing.B) {
			in := benchInput(b, "w20_"+name+".json")
			res := benchRun(b, in)
			e := *res.Properties.ReturnEnergy
			if name == "full" {
				full = e
			} else if full != 0 {
				b.ReportMetric(math.Abs(e-full)*manybody.KcalMolPerHartree/float64(len(in.Molecule.Fragments)), "err-kcal/mol/monomer")
			}
		})
	}
}

// BenchmarkAdaptiveWater64 runs the nocp MBE-4 of 64 waters at HF/6-31G with distance
// screening (min_atom 8, 6 and 5 Å) and energy screening (3e-4 hartree at levels 3 and 4)
// decided by HF/STO-3G as the estimator, on two pool workers:
//
//	go test ./manybody/computer -run '^$' -bench AdaptiveWater64 -benchtime 1x -timeout 2h
func BenchmarkAdaptiveWater64(b *testing.B) {
	benchRun(b, benchInput(b, "w64_nocp4_distance_energy_estimator.json"))
}
