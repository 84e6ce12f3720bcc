package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/lattice"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/stats"
)

func newLatticeCmd() *cobra.Command {
	var f runFlags
	var program, cellUncertainty string
	var asJSON, kcal bool
	cmd := &cobra.Command{
		Use:   "lattice INPUT.cle",
		Short: "Crystal lattice energy from a CrystaLattE input (.cle keyword file or its JSON form)",
		Long: `Reads a CrystaLattE keyword file (or its JSON form, INPUT.json), builds the supercell of
its CIF, finds the symmetry-unique n-mers as CrystaLattE does and, unless cle_run_type is
test, computes each one's non-additive n-body energy with the BSSE treatment psi4_bsse asks
for and sums the lattice energy. Every distinct fragment calculation runs once, on the
executor the flags name, and is kept in the result store, so a rerun computes only what is
missing. Prints CrystaLattE's summary table (with --json, the JSON document instead).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := inputsOf(cmd).read(args[0])
			if err != nil {
				return err
			}
			in, err := lattice.ParseInput(data, args[0])
			if err != nil {
				return err
			}
			if program != "" {
				in.Program = program
			}
			if cellUncertainty != "" {
				in.CellUncertainty = cellUncertainty
			}
			f.changed, f.inputs = cmd.Flags().Changed, []string{args[0], in.Path(in.CIF)}
			unit := lattice.KJPerMol
			if kcal {
				unit = lattice.KcalPerMol
			}
			out := latticeOutput{json: asJSON, unit: unit, path: f.output, verbose: in.Verbose,
				stdout: cmd.OutOrStdout(), stderr: cmd.ErrOrStderr()}
			return runLattice(cmd.Context(), in, f, out)
		},
	}
	addRunFlags(cmd, &f, "write the result here (the summary table, or the JSON document with --json)")
	fl := cmd.Flags()
	fl.StringVar(&program, "program", "", `program of the fragment calculations (default: "embedded" when it can compute psi4_method, else psi4)`)
	fl.BoolVar(&asJSON, "json", false, `write {"lattice_energy", "nmers", "fragment_calculations"} as JSON instead of the table`)
	fl.BoolVar(&kcal, "kcal", false, "energies of the table in kcal/mol instead of CrystaLattE's kJ/mol")
	fl.StringVar(&cellUncertainty, "cell-uncertainty", "", `how a cell parameter such as 11.938(1) is read: "crystalatte" (default: 11.9381, as CrystaLattE reads it) or "cif" (11.938)`)
	return cmd
}

// latticeOutput says where a lattice result goes.
type latticeOutput struct {
	json           bool
	unit           lattice.Unit
	path           string // -o
	verbose        int
	stdout, stderr io.Writer
}

func runLattice(ctx context.Context, in *lattice.Input, f runFlags, out latticeOutput) error {
	if err := f.check(); err != nil {
		return err
	}
	outputs := runOutputs(f)
	if in.XYZ != "" {
		outputs = append(outputs, outfile.Named{Label: "cif_output", Path: in.Path(in.XYZ)})
	}
	if err := checkOutputs(outputs, f.inputs, f.storePath()); err != nil {
		return err
	}
	cr, err := lattice.Load(in)
	if err != nil {
		return err
	}
	if out.verbose >= 1 {
		for _, w := range append(in.Warnings(), cr.Warnings...) {
			fmt.Fprintln(out.stderr, "warning:", w)
		}
	}
	if out.verbose >= 2 {
		if err := cr.WriteEnumeration(out.stderr); err != nil {
			return err
		}
	}
	if in.XYZ != "" {
		if err := outfile.Write(in.Path(in.XYZ), cr.Supercell.WriteXYZ); err != nil {
			return fmt.Errorf("cif_output: %w", err)
		}
	}
	plan, err := lattice.NewPlan(ctx, cr, in.Program)
	if err != nil {
		return err
	}
	if out.verbose >= 1 {
		fmt.Fprintf(out.stderr, "%d n-mers: %d distinct fragment calculations with %s (of %d planned: %d shared, %d congruent copies)\n",
			len(plan.Nmers), len(plan.Tasks), plan.Program, plan.Planned, plan.Identical, plan.Congruent)
	}
	if in.TestOnly() {
		return out.write(plan.Enumeration())
	}
	var res *lattice.Result
	return runBatch(ctx, f, out.stdout, out.stderr,
		func(ctx context.Context, comp *computer.Computer) (err error) {
			res, err = plan.Run(ctx, comp)
			return err
		},
		func(reportTo io.Writer, report *stats.Report) error {
			if err := out.write(res); err != nil {
				return err
			}
			return report.WriteText(reportTo)
		})
}

// write writes the result, the JSON document or the table, to -o or standard output;
// with --json the table goes to the terminal too (standard error, or standard output when
// the document goes to -o).
func (o latticeOutput) write(res *lattice.Result) error {
	if o.json && o.verbose >= 1 {
		table := o.stderr
		if o.path != "" {
			table = o.stdout
		}
		if err := res.WriteTable(table, o.unit); err != nil {
			return err
		}
	}
	emit := func(w io.Writer) error {
		if o.json {
			return outfile.WriteJSON(w, res)
		}
		return res.WriteTable(w, o.unit)
	}
	if o.path == "" {
		return emit(o.stdout)
	}
	return outfile.Write(o.path, emit)
}
