package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/qcschema"
)

func newComputeCmd() *cobra.Command {
	var program string
	cmd := &cobra.Command{
		Use:   "compute [--program NAME] ATOMICINPUT.json",
		Short: "Run one single point and print its AtomicResult (or FailedOperation) JSON",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in qcschema.AtomicInput
			if err := readJSON(cmd, args[0], &in); err != nil {
				return err
			}
			res, err := engine.Compute(cmd.Context(), program, &in)
			var failed *qcschema.FailedOperation
			switch {
			case errors.As(err, &failed):
				if werr := outfile.WriteJSON(cmd.OutOrStdout(), failed); werr != nil {
					return werr
				}
				return errors.New(failed.Error())
			case err != nil:
				return err
			}
			return outfile.WriteJSON(cmd.OutOrStdout(), res)
		},
	}
	cmd.Flags().StringVar(&program, "program", "embedded", "program that runs the input (see qcmb engines)")
	return cmd
}
