// Command screening shows what distance screening costs in accuracy, so that a cutoff can
// be chosen: the nocp MBE-3 of a water droplet at HF/STO-3G with the embedded program,
// computed once unscreened, then assembled again with several min_atom cutoff sets from
// the same fragment results. For each it prints the kept tasks, the interaction energy
// and its error against the unscreened expansion.
//
//	go run ./examples/screening [--waters 14] [--workers 2]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"

	_ "github.com/qcmb-go/qcmb/engine/hf"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/internal/waterbox"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// kcalPerHartree converts energies for the printed table.
const kcalPerHartree = 627.5094740631

// cutoffSets are the min_atom cutoffs tried, in ångström, per n-body level.
var cutoffSets = []map[int]float64{
	{2: 4, 3: 3},
	{2: 6, 3: 4},
	{2: 8, 3: 5},
	{2: 10, 3: 6},
}

func main() {
	waters := flag.Int("waters", 14, "water molecules in the droplet")
	workers := flag.Int("workers", 2, "goroutines running fragment calculations")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, os.Stdout, *waters, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "screening:", err)
		os.Exit(1)
	}
}

// row is one line of the table: a cutoff set (nil: unscreened), the tasks it keeps and its
// interaction energy (hartree).
type row struct {
	cutoffs map[int]float64
	tasks   int
	ie      float64
}

// run computes the unscreened expansion, assembles every cutoff set from its fragment
// results, prints the table to w and returns its rows, the unscreened one first.
func run(ctx context.Context, w io.Writer, waters, workers int) ([]row, error) {
	in := &qcschema.ManyBodyInput{
		SchemaName: qcschema.SchemaManyBodyInput, SchemaVersion: 1,
		Molecule: *waterbox.Droplet(waters, 1),
		Specification: qcschema.ManyBodySpecification{
			Driver: qcschema.DriverEnergy,
			Keywords: qcschema.ManyBodyKeywords{
				BsseType: qcschema.BsseList{qcschema.BsseNoCP},
				Levels:   map[string]string{"3": "hf"},
			},
			Protocols: qcschema.ManyBodyProtocols{ComponentResults: "all"},
			Specification: map[string]qcschema.AtomicSpecification{
				"hf": {Program: "embedded", Driver: qcschema.DriverEnergy, Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}},
			},
		},
	}
	c := &computer.Computer{Executor: executor.NewPool(workers, executor.Options{})}
	res, err := c.Compute(ctx, in)
	if err != nil {
		return nil, err
	}
	// Every screened plan is a subset of the unscreened one: its tasks are answered
	// from the unscreened fragment results.
	comps := make(map[string]manybody.Component, len(res.ComponentResults))
	for label, r := range res.ComponentResults {
		if r.Properties.ReturnEnergy == nil {
			return nil, fmt.Errorf("task %s: no energy", label)
		}
		comps[label] = manybody.Component{Energy: *r.Properties.ReturnEnergy}
	}
	ref := row{tasks: len(res.ComponentResults), ie: res.Properties.Energies["nocp_corrected_interaction_energy"]}
	rows := []row{ref}
	for _, cut := range cutoffSets {
		screened := *in
		screened.Specification.Keywords.Screening = &qcschema.Screening{Metric: manybody.MetricMinAtom, Cutoffs: map[string]float64{}}
		for k, r := range cut {
			screened.Specification.Keywords.Screening.Cutoffs[strconv.Itoa(k)] = r
		}
		kw, err := manybody.KeywordsFromInput(&screened)
		if err != nil {
			return nil, err
		}
		core, err := manybody.NewCore(&screened.Molecule, kw)
		if err != nil {
			return nil, err
		}
		a, err := core.Analyze(comps)
		if err != nil {
			return nil, err
		}
		ie, ok := a.Properties.Energies["nocp_corrected_interaction_energy"]
		if !ok {
			return nil, errors.New("no nocp interaction energy")
		}
		rows = append(rows, row{cutoffs: cut, tasks: len(core.Plan().Tasks), ie: ie})
	}

	fmt.Fprintf(w, "nocp MBE-3 of %d waters, HF/STO-3G, min_atom screening\n", waters)
	fmt.Fprintf(w, "%-22s %6s %16s %14s\n", "cutoffs (Å)", "tasks", "IE (kcal/mol)", "error (kcal/mol)")
	for _, r := range rows {
		name := "unscreened"
		if r.cutoffs != nil {
			name = fmt.Sprintf("dimer %g, trimer %g", r.cutoffs[2], r.cutoffs[3])
		}
		fmt.Fprintf(w, "%-22s %6d %16.3f %14.3f\n", name, r.tasks, r.ie*kcalPerHartree, (r.ie-ref.ie)*kcalPerHartree)
	}
	if math.IsNaN(ref.ie) {
		return nil, errors.New("unscreened interaction energy is NaN")
	}
	return rows, nil
}
