// Command adaptive shows what energy screening costs in accuracy and saves in work, so
// that a threshold can be chosen: the nocp MBE-4 of a water droplet at HF/STO-3G with the
// embedded program, computed once in full, then run again as adaptive expansions with
// several thresholds, their tasks answered from the full expansion's fragment results. For
// each it prints the trimers and tetramers computed, the fraction of all tasks, and the
// error per monomer against the full MBE-4.
//
//	go run ./examples/adaptive [--waters 10] [--workers 2]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"

	_ "github.com/qcmb-go/qcmb/engine/hf"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/internal/waterbox"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// kcalPerHartree converts energies for the printed table.
const kcalPerHartree = 627.5094740631

// thresholds are the energy thresholds tried (hartree), the same at levels 3 and 4.
var thresholds = []float64{1e-5, 3e-5, 1e-4, 3e-4, 1e-3}

func main() {
	waters := flag.Int("waters", 10, "water molecules in the droplet")
	workers := flag.Int("workers", 2, "goroutines running fragment calculations")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, os.Stdout, *waters, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "adaptive:", err)
		os.Exit(1)
	}
}

// row is one line of the table: a threshold (0: the full expansion), the clusters of 3 and
// 4 fragments computed, the tasks and the total energy (hartree).
type row struct {
	threshold          float64
	trimers, tetramers int
	tasks              int
	energy             float64
}

// input is the nocp MBE-4 of a water droplet at HF/STO-3G, energy-screened at threshold
// t (hartree) at levels 3 and 4 unless t is 0.
func input(waters int, t float64) *qcschema.ManyBodyInput {
	rtd := true
	in := &qcschema.ManyBodyInput{
		SchemaName: qcschema.SchemaManyBodyInput, SchemaVersion: 1,
		Molecule: *waterbox.Droplet(waters, 1),
		Specification: qcschema.ManyBodySpecification{
			Driver: qcschema.DriverEnergy,
			Keywords: qcschema.ManyBodyKeywords{
				BsseType:        qcschema.BsseList{qcschema.BsseNoCP},
				Levels:          map[string]string{"4": "hf"},
				ReturnTotalData: &rtd,
			},
			Protocols: qcschema.ManyBodyProtocols{ComponentResults: "all"},
			Specification: map[string]qcschema.AtomicSpecification{
				"hf": {Program: "embedded", Driver: qcschema.DriverEnergy, Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}},
			},
		},
	}
	if t > 0 {
		in.Specification.Keywords.Screening = &qcschema.Screening{Energy: &qcschema.EnergyScreening{
			Thresholds: map[string]float64{"3": t, "4": t}}}
	}
	return in
}

// run computes the full expansion, runs an adaptive expansion for every threshold with
// its fragment results, prints the table to w and returns its rows, the full one first.
func run(ctx context.Context, w io.Writer, waters, workers int) ([]row, error) {
	full := input(waters, 0)
	c := &computer.Computer{Executor: executor.NewPool(workers, executor.Options{})}
	res, err := c.Compute(ctx, full)
	if err != nil {
		return nil, err
	}
	comps := make(map[string]manybody.Component, len(res.ComponentResults))
	for label, r := range res.ComponentResults {
		if r.Properties.ReturnEnergy == nil {
			return nil, fmt.Errorf("task %s: no energy", label)
		}
		comps[label] = manybody.Component{Energy: *r.Properties.ReturnEnergy}
	}
	ref := row{trimers: binom(waters, 3), tetramers: binom(waters, 4), tasks: len(comps), energy: *res.Properties.ReturnEnergy}
	rows := []row{ref}
	for _, t := range thresholds {
		r, err := screened(input(waters, t), comps)
		if err != nil {
			return nil, err
		}
		r.threshold = t
		rows = append(rows, r)
	}

	fmt.Fprintf(w, "nocp MBE-4 of %d waters, HF/STO-3G, energy screening at levels 3 and 4\n", waters)
	fmt.Fprintf(w, "%-10s %-10s %15s %15s %15s %26s\n", "threshold", "(kcal/mol)", "trimers", "tetramers", "tasks", "error per monomer/kcal/mol")
	for _, r := range rows {
		name, kcal := "full", ""
		if r.threshold > 0 {
			name, kcal = fmt.Sprintf("%g Eh", r.threshold), fmt.Sprintf("%.3g", r.threshold*kcalPerHartree)
		}
		fmt.Fprintf(w, "%-10s %-10s %6d (%5.1f%%) %6d (%5.1f%%) %6d (%5.1f%%) %26.4f\n", name, kcal,
			r.trimers, pct(r.trimers, ref.trimers), r.tetramers, pct(r.tetramers, ref.tetramers),
			r.tasks, pct(r.tasks, ref.tasks), (r.energy-ref.energy)*kcalPerHartree/float64(waters))
	}
	if math.IsNaN(ref.energy) {
		return nil, fmt.Errorf("full energy is NaN")
	}
	return rows, nil
}

// screened runs the adaptive expansion of in with comps as the fragment results.
func screened(in *qcschema.ManyBodyInput, comps map[string]manybody.Component) (row, error) {
	kw, err := manybody.KeywordsFromInput(in)
	if err != nil {
		return row{}, err
	}
	core, err := manybody.NewCore(&in.Molecule, kw)
	if err != nil {
		return row{}, err
	}
	x := core.NewExpansion()
	for queue := x.Ready(); len(queue) > 0; {
		t := queue[0]
		more, err := x.Add(t, comps[t.Label()])
		if err != nil {
			return row{}, err
		}
		queue = append(queue[1:], more...)
	}
	a, err := x.Analyze()
	if err != nil {
		return row{}, err
	}
	plan, err := x.Plan()
	if err != nil {
		return row{}, err
	}
	lv := plan.Screening.Energy.Levels
	return row{trimers: *lv[2].Kept, tetramers: *lv[3].Kept, tasks: len(plan.Tasks), energy: a.ReturnEnergy}, nil
}

func pct(a, b int) float64 { return 100 * float64(a) / float64(b) }

func binom(n, k int) int {
	r := 1
	for i := 1; i <= k; i++ {
		r = r * (n - k + i) / i
	}
	return r
}
