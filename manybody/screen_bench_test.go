package manybody

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/waterbox"
	"github.com/qcmb-go/qcmb/qcschema"
)

// screenedMBE3 is a nocp MBE-3 gradient screened by min_atom distance: dimers within
// 7 Å, trimers within 4 Å.
var screenedMBE3 = Keywords{
	BsseType:        []qcschema.BsseType{qcschema.BsseNoCP},
	Levels:          map[int]string{1: "hf", 2: "hf", 3: "hf"},
	ReturnTotalData: true,
	Screening: &Screening{Metric: MetricMinAtom, Cutoffs: map[int]float64{
		2: 7 / qcschema.AngstromPerBohr, 3: 4 / qcschema.AngstromPerBohr}},
}

var screenedSizes = []int{256, 1000, 4096}

// BenchmarkScreenedPlan times NewCore (screening included) and Plan of the screened
// MBE-3 of water droplets; tasks/op is the number of kept clusters.
func BenchmarkScreenedPlan(b *testing.B) {
	for _, n := range screenedSizes {
		b.Run(fmt.Sprintf("water%d", n), func(b *testing.B) {
			mol := waterbox.Droplet(n, 1)
			b.ReportAllocs()
			var ntask int
			for b.Loop() {
				ntask = len(mustCore(b, mol, screenedMBE3).Plan().Tasks)
			}
			b.ReportMetric(float64(ntask), "tasks/op")
		})
	}
}

// BenchmarkScreenedAnalyze times Analyze of the screened MBE-3 gradient, the per-task
// weights included (a fresh Core each time); the components are built beforehand.
func BenchmarkScreenedAnalyze(b *testing.B) {
	for _, n := range screenedSizes {
		b.Run(fmt.Sprintf("water%d", n), func(b *testing.B) {
			mol := waterbox.Droplet(n, 1)
			comps := randomComponents(mustCore(b, mol, screenedMBE3), true, false, 1)
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				c := mustCore(b, mol, screenedMBE3)
				c.Plan()
				b.StartTimer()
				_, err := c.Analyze(comps)
				require.NoError(b, err)
			}
			b.ReportMetric(float64(len(comps)), "tasks/op")
		})
	}
}
