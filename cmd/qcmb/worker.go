package main

import (
	"fmt"
	"math"
	"os"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/internal/infile"
)

func newWorkerCmd() *cobra.Command {
	maxLine := infile.Size(executor.DefaultMaxLine)
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Serve the NDJSON worker protocol: AtomicInput lines in, AtomicResult or FailedOperation lines out",
		Long: `worker reads one AtomicInput JSON document per line from standard input and writes one
AtomicResult or FailedOperation per line to standard output, in order, flushing after each.
The program is named by the input's extras["qcmb:program"] (default "embedded"). It exits 0
at the end of input, and on SIGTERM stops the program running, kills what it started and
removes its scratch directory before exiting. The subprocess executor of "qcmb run" starts
these workers.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if int64(maxLine) > math.MaxInt {
				return fmt.Errorf("--max-line %v: too large for this platform", &maxLine)
			}
			s := &executor.Server{Runner: executor.EngineRunner(), MaxLine: int(maxLine)}
			return s.Serve(cmd.Context(), os.Stdin, os.Stdout)
		},
	}
	cmd.Flags().Var(&maxLine, "max-line", "longest input line read, e.g. 64MiB")
	return cmd
}
