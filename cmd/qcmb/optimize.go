package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/optimize"
	"github.com/qcmb-go/qcmb/optimize/procedure"
	"github.com/qcmb-go/qcmb/qcschema"
)

func newOptimizeCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "optimize OPTINPUT.json",
		Short: "Optimize a geometry (QCSchema OptimizationInput, v1 or v2) on single points or many-body gradients",
		Long: `Reads a QCSchema v2 OptimizationInput whose specification.specification is an
AtomicSpecification (each gradient is one single point) or a ManyBodySpecification (each
gradient is a many-body expansion), or a v1 one (QCElemental's OptimizationInput, whose
keywords.program runs each gradient, or QCManyBody's GeneralizedOptimizationInput with a
many-body input_specification), optimizes with qcmb's RFO/BFGS optimizer and writes the
OptimizationResult of the input's version. Keywords: g_convergence (or convergence_set): gau (default), gau_loose,
gau_tight, gau_verytight, nwchem_loose, interfrag_tight, qchem, molpro, turbomole, cfour;
geom_maxiter (or maxiter, default 50); intrafrag_step_limit (or trust), _min, _max (bohr).
Every step runs on the one executor the flags choose. An optimization that does not
converge is an error; with -o its partial result (success false) is still written.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOptimize(cmd, &f, args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.executor, "executor", "pool", "serial, pool, subprocess or slurm")
	fl.IntVar(&f.workers, "workers", 0, "number of workers (default: number of CPUs)")
	fl.StringVarP(&f.output, "output", "o", "", "write the OptimizationResult here instead of standard output")
	fl.DurationVar(&f.timeout, "timeout", 0, "per-task time limit (0: none)")
	fl.IntVar(&f.retries, "retries", 1, "extra attempts for tasks that fail transiently")
	fl.StringVar(&f.workerCommand, "worker-command", "", `worker command of the subprocess or slurm executor (default: this program's "worker")`)
	fl.StringVar(&f.store, "store", defaultStorePath(), "keep every finished single point in this result store; rerunning computes only what is missing")
	fl.BoolVar(&f.noStore, "no-store", false, "keep no results: no store is read or written")
	cmd.MarkFlagsMutuallyExclusive("store", "no-store")
	fl.BoolVar(&f.noResident, "no-resident", false, "run Psi4 and QCEngine in a process per task instead of in processes each worker keeps between tasks")
	addSlurmFlags(fl, &f.slurm)
	return cmd
}

// runOptimize is qcmb optimize of the input at path: the input decoded (v1 or v2), the flags
// checked, one executor started for every step and wrapped in the result store, and the
// result written, or on failure the partial result when -o is given.
func runOptimize(cmd *cobra.Command, f *runFlags, path string) (err error) {
	data, err := inputsOf(cmd).read(path)
	if err != nil {
		return err
	}
	v1, v2, err := qcschema.DecodeAnyOptimizationInput(data)
	if err != nil {
		return decodeError(path, data, err)
	}
	f.changed = cmd.Flags().Changed
	if err := f.check(); err != nil {
		return err
	}
	if err := checkOutputs([]outfile.Named{{Label: "-o", Path: f.output}}, []string{path}, f.storePath()); err != nil {
		return err
	}
	ex, _, err := newExecutor(*f, executor.Options{})
	if err != nil {
		return err
	}
	// One executor for every step: workers (and Slurm jobs) start once, not per
	// gradient, and stop however the optimization ends.
	if st, ok := ex.(executor.Starter); ok {
		if err := st.Start(cmd.Context()); err != nil {
			return err
		}
		defer func() {
			if cerr := st.Close(); cerr != nil {
				err = errors.Join(err, cerr)
			}
		}()
	}
	// Every single point is stored as it arrives: a rerun after a crash, or a step
	// that revisits a geometry, computes nothing twice.
	if !f.noStore {
		results, err := openRunStore(cmd.Context(), f.store)
		if err != nil {
			return err
		}
		defer results.Close()
		ex = store.Wrap(ex, results)
	}
	log := cmd.ErrOrStderr()
	p := &procedure.Procedure{Executor: ex, Observe: func(pt optimize.Point) {
		fmt.Fprintf(log, "gradient %3d  energy %.10f\n", pt.Index+1, pt.Energy)
	}}
	var res any
	var runErr error
	if v1 != nil {
		res, runErr = p.RunV1(cmd.Context(), v1)
	} else {
		res, runErr = p.Run(cmd.Context(), v2)
	}
	var perr *procedure.Error
	if errors.As(runErr, &perr) && f.output != "" {
		var partial any = perr.Partial
		if perr.PartialV1 != nil {
			partial = perr.PartialV1
		}
		if err := outfile.WriteFile(f.output, partial); err != nil {
			return err
		}
	}
	if runErr != nil {
		return runErr
	}
	summarize(log, res)
	if f.output != "" {
		return outfile.WriteFile(f.output, res)
	}
	return outfile.WriteJSON(cmd.OutOrStdout(), res)
}

// summarize prints how the optimization converged (res a v1 or v2 result).
func summarize(w io.Writer, res any) {
	switch r := res.(type) {
	case *qcschema.OptimizationResult:
		fmt.Fprintf(w, "converged (%v) in %d gradients: energy %.10f hartree\n",
			r.Extras["convergence_set"], *r.Properties.OptimizationIterations, *r.Properties.ReturnEnergy)
	case *qcschema.OptimizationResultV1:
		fmt.Fprintf(w, "converged (%v) in %d gradients: energy %.10f hartree\n",
			r.Extras["convergence_set"], len(r.Energies), r.Energies[len(r.Energies)-1])
	}
}
