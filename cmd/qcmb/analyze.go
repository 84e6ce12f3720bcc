package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// componentJSON is one entry of COMPONENTS.json: a fragment result as the test vectors
// carry it (gradient natom x 3 rows, Hessian 3n x 3n rows; flat arrays are accepted too).
type componentJSON struct {
	MC       string    `json:"mc"`
	Real     []int     `json:"real"`
	Basis    []int     `json:"basis"`
	Energy   *float64  `json:"energy"`
	Gradient flexArray `json:"gradient,omitempty"`
	Hessian  flexArray `json:"hessian,omitempty"`
}

// flexArray decodes a nested or flat number array into one flat slice.
type flexArray []float64

func (a *flexArray) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*a = nil
		return nil
	}
	flat, err := qcschema.UnmarshalFlat(data)
	if err != nil {
		return err
	}
	*a = flat
	return nil
}

func newAnalyzeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "analyze INPUT.json COMPONENTS.json",
		Short: "Assemble the ManyBodyResult of INPUT.json from given fragment results",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in qcschema.ManyBodyInput
			if err := readJSON(cmd, args[0], &in); err != nil {
				return err
			}
			var comps []componentJSON
			if err := readJSON(cmd, args[1], &comps); err != nil {
				return err
			}
			res, err := analyzeComponents(&in, comps)
			if err != nil {
				return err
			}
			return writeJSON(cmd.OutOrStdout(), res)
		},
	}
}

func analyzeComponents(in *qcschema.ManyBodyInput, comps []componentJSON) (*qcschema.ManyBodyResult, error) {
	p, err := computer.Prepare(in)
	if err != nil {
		return nil, err
	}
	byLabel := make(map[string]*qcschema.AtomicResult, len(comps))
	for i, c := range comps {
		if c.Energy == nil {
			return nil, fmt.Errorf("components[%d]: no energy", i)
		}
		label := manybody.Task{MC: c.MC, Real: c.Real, Basis: c.Basis}.Label()
		e := *c.Energy
		r := &qcschema.AtomicResult{
			SchemaName: qcschema.SchemaOutput, SchemaVersion: 1, Success: true,
			Driver:     in.Specification.Driver,
			Properties: qcschema.AtomicResultProperties{ReturnEnergy: &e, ReturnGradient: c.Gradient, ReturnHessian: c.Hessian},
		}
		if _, dup := byLabel[label]; dup {
			return nil, fmt.Errorf("components[%d]: task %s given twice", i, label)
		}
		byLabel[label] = r
	}
	results := make([]*qcschema.AtomicResult, len(p.Tasks))
	for i, t := range p.Tasks {
		r, ok := byLabel[t.ID]
		if !ok {
			return nil, fmt.Errorf("COMPONENTS.json has no result for task %s", t.ID)
		}
		results[i] = r
	}
	return computer.Assemble(p, results)
}
