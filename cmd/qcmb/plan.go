package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

func newPlanCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan INPUT.json",
		Short: "List the fragment tasks of a ManyBodyInput per model chemistry and n-body level",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in qcschema.ManyBodyInput
			if err := readJSON(cmd, args[0], &in); err != nil {
				return err
			}
			p, err := computer.Prepare(&in)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), planJSON(p))
			}
			return writePlanText(cmd.OutOrStdout(), p)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "write the plan as JSON (every task with its label, level and atoms)")
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
	Tasks             []planTaskJSON            `json:"tasks"`
}

func planJSON(p *computer.Prepared) planDoc {
	doc := planDoc{
		NFragments:        p.Plan.NFragments,
		MaxNbody:          p.Plan.MaxNbody,
		EffectiveBsseType: p.Plan.EffectiveBsseType,
		Counts:            map[string]map[string]int{},
		NTasks:            len(p.Plan.Tasks),
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
	fmt.Fprintf(w, "fragments: %d   max n-body: %d   bsse types: %v   tasks: %d\n\n",
		p.Plan.NFragments, p.Plan.MaxNbody, p.Plan.EffectiveBsseType, len(p.Plan.Tasks))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model chemistry\tprogram\tmethod/basis\tn-body\ttasks\t")
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
			fmt.Fprintf(tw, "%s\t%s\t%s/%s\t%d\t%d\t\n", mc, s.Program, s.Model.Method, s.Model.Basis, l, p.Plan.Counts[mc][l])
		}
	}
	return tw.Flush()
}
