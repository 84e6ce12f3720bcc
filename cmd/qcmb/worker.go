package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/executor"
)

func newWorkerCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Serve the NDJSON worker protocol: AtomicInput lines in, AtomicResult or FailedOperation lines out",
		Long: `worker reads one AtomicInput JSON document per line from standard input and writes one
AtomicResult or FailedOperation per line to standard output, in order, flushing after each.
The program is named by the input's extras["qcmb:program"] (default "embedded"). It exits 0
at the end of input. The subprocess executor of "qcmb run" starts these workers.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// Serve notices a cancelled context only between lines; SIGTERM (from srun,
			// scancel or the subprocess executor) must end the worker at once, also while it
			// waits for input.
			ctx := cmd.Context()
			served := make(chan error, 1)
			go func() { served <- executor.Serve(ctx, os.Stdin, os.Stdout, executor.EngineRunner()) }()
			select {
			case err := <-served:
				return err
			case <-ctx.Done():
				return fmt.Errorf("worker stopped: %w", context.Cause(ctx))
			}
		},
	}
}
