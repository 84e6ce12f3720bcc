package main

import (
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

func newAnalyzeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "analyze INPUT.json COMPONENTS.json",
		Short: "Assemble the ManyBodyResult of INPUT.json from given fragment results",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if fi, err := os.Stat(args[1]); err == nil && fi.Mode().IsRegular() {
				// The heap grows to about twice the components: give it huge pages.
				hugePageHeap(2*fi.Size() + 16<<20)
			}
			return analyzeFiles(inputsOf(cmd), args[0], args[1], cmd.OutOrStdout())
		},
	}
}

// analyzeFiles writes to w the ManyBodyResult of the input in inputPath assembled from the
// fragment results in componentsPath.
func analyzeFiles(read inputReader, inputPath, componentsPath string, w io.Writer) error {
	in, err := readManyBodyInput(read, inputPath)
	if err != nil {
		return err
	}
	comps, err := readComponents(read, componentsPath)
	if err != nil {
		return err
	}
	res, err := analyzeComponents(in.v1, comps)
	if err != nil {
		return err
	}
	return writeJSON(w, in.result(res))
}

// analyzeComponents assembles the ManyBodyResult of in from given fragment results.
func analyzeComponents(in *qcschema.ManyBodyInput, comps *componentSet) (*qcschema.ManyBodyResult, error) {
	p, err := computer.PreparePlan(in)
	if err != nil {
		return nil, err
	}
	return comps.assemble(p)
}
