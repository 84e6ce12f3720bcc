package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

func newPlanCmd() *cobra.Command {
	var asJSON, noCheck bool
	cmd := &cobra.Command{
		Use:   "plan INPUT.json",
		Short: "List the fragment tasks of a ManyBodyInput per model chemistry and n-body level",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := readManyBodyInput(inputsOf(cmd), args[0])
			if err != nil {
				return err
			}
			p, err := computer.Prepare(in.v1)
			if err != nil {
				return err
			}
			if asJSON {
				err = outfile.WriteJSON(cmd.OutOrStdout(), planJSON(p))
			} else {
				err = writePlanText(cmd.OutOrStdout(), p)
			}
			if err != nil || noCheck {
				return err
			}
			if err := computer.Check(cmd.Context(), p); err != nil {
				return fmt.Errorf("this plan cannot run here: %w", err)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "write the plan as JSON (every task with its label, level and atoms)")
	cmd.Flags().BoolVar(&noCheck, "no-check", false, "do not ask the programs whether they are available and can compute what is asked")
	return cmd
}

type planTaskJSON struct {
	Label string `json:"label"`
	MC    string `json:"mc"`
	Real  []int  `json:"real"`
	Basis []int  `json:"basis"`
	Level int    `json:"level"`
	NAtom int    `json:"natom"`
}

type planDoc struct {
	NFragments        int                       `json:"nfragments"`
	MaxNbody          int                       `json:"max_nbody"`
	EffectiveBsseType []qcschema.BsseType       `json:"effective_bsse_type"`
	Counts            map[string]map[string]int `json:"task_counts"`
	NTasks            int                       `json:"ntasks"`
	// Adaptive: energy screening decides as results arrive, so counts and tasks are an
	// upper bound; Estimator names the model chemistry whose increments decide.
	Adaptive  bool   `json:"adaptive,omitempty"`
	Estimator string `json:"estimator,omitempty"`
	// Screening: kept and dropped clusters per level (distances in bohr); only with the
	// screening keyword.
	Screening *manybody.ScreeningSummary `json:"screening,omitempty"`
	Tasks     []planTaskJSON             `json:"tasks"`
}

func planJSON(p *computer.Prepared) planDoc {
	doc := planDoc{
		NFragments:        p.Plan.NFragments,
		MaxNbody:          p.Plan.MaxNbody,
		EffectiveBsseType: p.Plan.EffectiveBsseType,
		Counts:            map[string]map[string]int{},
		NTasks:            len(p.Plan.Tasks),
		Adaptive:          p.Plan.Adaptive,
		Estimator:         p.Plan.Estimator,
		Screening:         p.Plan.Screening,
	}
	for mc, byLevel := range p.Plan.Counts {
		m := map[string]int{}
		for lvl, n := range byLevel {
			m[fmt.Sprint(lvl)] = n
		}
		doc.Counts[mc] = m
	}
	for _, t := range p.Plan.Tasks {
		natom := 0
		for _, f := range t.Basis {
			natom += len(p.Input.Molecule.Fragments[f-1])
		}
		doc.Tasks = append(doc.Tasks, planTaskJSON{Label: t.Label(), MC: t.MC, Real: t.Real, Basis: t.Basis, Level: t.Level, NAtom: natom})
	}
	return doc
}

func writePlanText(w io.Writer, p *computer.Prepared) error {
	ntasks := fmt.Sprint(len(p.Plan.Tasks))
	if p.Plan.Adaptive {
		ntasks = "at most " + ntasks + " (energy screening decides as results arrive)"
	}
	fmt.Fprintf(w, "fragments: %d   max n-body: %d   bsse types: %v   tasks: %s\n\n",
		p.Plan.NFragments, p.Plan.MaxNbody, p.Plan.EffectiveBsseType, ntasks)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	tasks := "tasks"
	if p.Plan.Adaptive {
		tasks = "tasks, at most"
	}
	fmt.Fprintf(tw, "model chemistry\tprogram\tmethod/basis\tn-body\t%s\t\n", tasks)
	mcs := make([]string, 0, len(p.Plan.Counts))
	for mc := range p.Plan.Counts {
		mcs = append(mcs, mc)
	}
	sort.Strings(mcs)
	specs := p.Input.Specification.Specification
	for _, mc := range mcs {
		levels := make([]int, 0, len(p.Plan.Counts[mc]))
		for l := range p.Plan.Counts[mc] {
			levels = append(levels, l)
		}
		sort.Ints(levels)
		s := specs[mc]
		for _, l := range levels {
			fmt.Fprintf(tw, "%s\t%s\t%s/%s\t%d\t%d\t\n", short(mc), short(s.Program), short(s.Model.Method), short(s.Model.Basis), l, p.Plan.Counts[mc][l])
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	sc := p.Plan.Screening
	if sc == nil {
		return nil
	}
	if sc.Metric != "" {
		if err := writeScreeningText(w, sc); err != nil {
			return err
		}
	}
	if sc.Energy != nil {
		return writeEnergyScreeningText(w, sc.Energy, p.Plan.Adaptive)
	}
	return nil
}

// writeEnergyScreeningText prints energy screening's threshold and upper bound per level
// (and, after a run, the clusters kept and dropped).
func writeEnergyScreeningText(w io.Writer, e *manybody.EnergyScreeningSummary, adaptive bool) error {
	how := "the expansion's own increments decide"
	if e.Estimator != "" {
		how = fmt.Sprintf("the increments of %q decide", e.Estimator)
	}
	if !adaptive {
		how = "no threshold above 0: the unscreened expansion"
	}
	fmt.Fprintf(w, "\nenergy screening (%s): clusters per level, at most\n", how)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "n-body\tthreshold/Eh\tthreshold/kcal/mol\tat most\t")
	for _, l := range e.Levels {
		th, kcal := "none", "-"
		if l.Threshold != nil {
			th, kcal = fmt.Sprintf("%.3g", *l.Threshold), fmt.Sprintf("%.3g", *l.Threshold*manybody.KcalMolPerHartree)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t\n", l.Level, th, kcal, l.Candidates)
	}
	return tw.Flush()
}

// writeScreeningText prints what distance screening kept and dropped per level, distances
// in ångström.
func writeScreeningText(w io.Writer, sc *manybody.ScreeningSummary) error {
	fmt.Fprintf(w, "\nscreening (%s metric): clusters kept and dropped per level\n", sc.Metric)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "n-body\tcutoff/Å\tkept\tdropped\tlargest kept/Å\tclosest dropped/Å\t")
	angstrom := func(x *float64) string {
		if x == nil {
			return "-"
		}
		return fmt.Sprintf("%.3f", *x*qcschema.AngstromPerBohr)
	}
	for _, l := range sc.Levels {
		cut := "none"
		if l.Cutoff != nil {
			cut = angstrom(l.Cutoff)
		}
		closest := angstrom(l.ClosestDropped)
		if l.ClosestDropped == nil && l.Dropped > 0 {
			closest = fmt.Sprintf("> %.3f", sc.SearchRadius*qcschema.AngstromPerBohr)
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%.0f\t%s\t%s\t\n", l.Level, cut, l.Kept, l.Dropped, angstrom(l.LargestKept), closest)
	}
	return tw.Flush()
}

// short is a name from the input as a table shows it: at most an excerpt.
func short(name string) string { return qcschema.Excerpt(name, qcschema.ExcerptLen) }
