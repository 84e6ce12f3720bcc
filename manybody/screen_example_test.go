package manybody_test

import (
	"fmt"
	"log"

	"github.com/qcmb-go/qcmb/internal/waterbox"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Screening a nocp MBE-3 of a 64-water droplet: dimers whose closest atoms are within
// 6 Å, trimers whose every pair is within 4 Å. The plan holds the monomers and the kept
// clusters only, and says what was dropped.
func ExampleScreening() {
	core, err := manybody.NewCore(waterbox.Droplet(64, 1), manybody.Keywords{
		BsseType: []qcschema.BsseType{qcschema.BsseNoCP},
		Levels:   map[int]string{1: "hf", 2: "hf", 3: "hf"},
		Screening: &manybody.Screening{Metric: manybody.MetricMinAtom, Cutoffs: map[int]float64{
			2: 6 / qcschema.AngstromPerBohr, 3: 4 / qcschema.AngstromPerBohr}},
	})
	if err != nil {
		log.Fatal(err)
	}
	plan := core.Plan()
	fmt.Println("tasks:", len(plan.Tasks), "counts:", plan.Counts["hf"])
	for _, l := range plan.Screening.Levels {
		fmt.Printf("%d-body: cutoff %.1f Å, kept %d, dropped %.0f\n", l.Level, *l.Cutoff*qcschema.AngstromPerBohr, l.Kept, l.Dropped)
	}
	// Output:
	// tasks: 1222 counts: map[1:64 2:699 3:459]
	// 2-body: cutoff 6.0 Å, kept 699, dropped 1317
	// 3-body: cutoff 4.0 Å, kept 459, dropped 41205
}
