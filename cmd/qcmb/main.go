// Command qcmb runs many-body expansion calculations: it plans the fragment calculations of
// a QCSchema ManyBodyInput, runs them with the embedded Hartree-Fock program or an external
// one (Psi4, xtb, anything QCEngine runs) on a serial, pooled, subprocess or Slurm executor, and
// writes the ManyBodyResult.
//
// Usage:
//
//	qcmb run INPUT.json [--executor serial|pool|subprocess|slurm] [--workers N] [-o RESULT.json]
//	         [--store FILE | --no-store]
//	qcmb plan INPUT.json [--json]
//	qcmb analyze INPUT.json COMPONENTS.json [-o RESULT.json]
//	qcmb compute [--program NAME] ATOMICINPUT.json
//	qcmb store show|export INPUT.json [--store FILE]
//	qcmb optimize OPTINPUT.json [-o RESULT.json]
//	qcmb lattice INPUT.cle [--program P] [--json] [-o OUT]
//	qcmb report STATS.json -o report.html [--format html|svg|png]
//	qcmb worker
//	qcmb engines
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/engine"
	_ "github.com/qcmb-go/qcmb/engine/hf"
	_ "github.com/qcmb-go/qcmb/engine/psi4"
	_ "github.com/qcmb-go/qcmb/engine/qcengine"
	_ "github.com/qcmb-go/qcmb/engine/xtb"
	"github.com/qcmb-go/qcmb/internal/liveruns"
	"github.com/qcmb-go/qcmb/qcschema"
)

// maxErrorMessage bounds the error message qcmb prints, in bytes: room for a BatchError's
// twenty tasks with their reasons; maxErrorLine bounds each of its lines.
const (
	maxErrorMessage = 128 << 10
	maxErrorLine    = 2 << 10
)

func main() {
	// What runs killed outright left is removed; this run's processes and scratch are
	// registered so that the same happens to it (see liveruns).
	run, rerr := liveruns.Begin()
	if rerr != nil {
		fmt.Fprintln(os.Stderr, "qcmb: warning:", rerr)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	// Resident program processes (Psi4, QCEngine) end with the command, however it ended,
	// and so does whatever escaped the programs; the run's scratch is removed.
	_ = engine.Close()
	run.End()
	if err != nil && errors.Is(err, context.Canceled) {
		if cause := context.Cause(ctx); cause != nil && cause != context.Canceled {
			err = fmt.Errorf("%w (%v)", err, cause)
		}
	}
	stop()
	if err != nil {
		// Messages quote bad input in excerpts; this bounds whatever still quotes more.
		fmt.Fprintln(os.Stderr, "qcmb:", qcschema.ExcerptLines(err.Error(), maxErrorLine, maxErrorMessage))
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "qcmb",
		Short:         "Many-body expansion calculations for quantum chemistry",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetVersionTemplate("qcmb {{.Version}}\n")
	maxInput := defaultMaxInput
	root.PersistentFlags().Var(&maxInput, "max-input", "largest input file read, e.g. 512MiB")
	root.AddCommand(
		newRunCmd(),
		newPlanCmd(),
		newAnalyzeCmd(),
		newComputeCmd(),
		newOptimizeCmd(),
		newLatticeCmd(),
		newReportCmd(),
		newStoreCmd(),
		newWorkerCmd(),
		newEnginesCmd(),
	)
	return root
}
