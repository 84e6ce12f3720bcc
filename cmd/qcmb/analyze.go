package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/manybody/components"
	"github.com/qcmb-go/qcmb/manybody/computer"
)

func newAnalyzeCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "analyze INPUT.json COMPONENTS.json [-o RESULT.json]",
		Short: "Assemble the ManyBodyResult of INPUT.json from given fragment results",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutputs([]outfile.Named{{Label: "-o", Path: output}}, args, ""); err != nil {
				return err
			}
			if output == "" {
				return analyzeFiles(inputsOf(cmd), args[0], args[1], cmd.OutOrStdout())
			}
			return outfile.Write(output, func(w io.Writer) error {
				return analyzeFiles(inputsOf(cmd), args[0], args[1], w)
			})
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the ManyBodyResult here instead of standard output")
	return cmd
}

// analyzeFiles writes to w the ManyBodyResult of the input in inputPath assembled from the
// fragment results in componentsPath ("-" for standard input; a directory of AtomicResults).
func analyzeFiles(read inputReader, inputPath, componentsPath string, w io.Writer) error {
	in, err := readManyBodyInput(read, inputPath)
	if err != nil {
		return err
	}
	p, err := computer.PreparePlan(in.v1)
	if err != nil {
		return err
	}
	set, err := readComponents(read, componentsPath, p)
	if err != nil {
		return err
	}
	res, err := set.Assemble(p)
	if err != nil {
		return err
	}
	return outfile.WriteJSON(w, in.result(res))
}

// readComponents reads the fragment results in path for the tasks of p, as read reads
// input files.
func readComponents(read inputReader, path string, p *computer.Prepared) (*components.Set, error) {
	limit := components.MaxBytes(int64(read.limit))
	if path == "-" {
		set, err := components.Read(read.ctx, os.Stdin, p, limit)
		if err != nil {
			return nil, fmt.Errorf("-: %w", maxInputHint(err))
		}
		return set, nil
	}
	set, err := components.ReadFile(read.ctx, path, p, limit)
	return set, maxInputHint(err)
}
