package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"

	"github.com/qcmb-go/qcmb/engine/hf" // the embedded program; importing it registers "embedded"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
	"github.com/qcmb-go/qcmb/stats"
)

// A ManyBodyInput as QCManyBody writes it (v1 or v2): the same water dimer (in bohr) at
// HF/STO-3G, cp only.
//
//go:embed dimer.json
var dimerJSON []byte

func tour(ctx context.Context, w io.Writer) error {
	// A molecule from a psi4-style string: fragments split by "--", angstrom by default.
	mol, err := qcschema.ParsePsi4(`
O  -1.551007  -0.114520   0.000000
H  -1.934259   0.762503   0.000000
H  -0.599677   0.040712   0.000000
--
O   1.350625   0.111469   0.000000
H   1.680398  -0.373741  -0.758561
H   1.680398  -0.373741   0.758561`)
	if err != nil {
		return err
	}

	// The Core plans and assembles; any program computes the fragments, here the embedded one.
	core, err := manybody.NewCore(mol, manybody.Keywords{
		BsseType:        []qcschema.BsseType{qcschema.BsseCP, qcschema.BsseNoCP},
		Levels:          map[int]string{1: "hf", 2: "hf"}, // every level 1..max named
		ReturnTotalData: true,
	})
	if err != nil {
		return err
	}
	components := map[string]manybody.Component{}
	for _, task := range core.Plan().Tasks {
		sub, err := core.Molecule(task) // ghost atoms, charge, multiplicity, embedding charges
		if err != nil {
			return err
		}
		res, err := hf.Compute(ctx, &qcschema.AtomicInput{Molecule: *sub, Driver: qcschema.DriverEnergy,
			Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}})
		if err != nil {
			return err
		}
		components[task.Label()] = manybody.Component{Energy: *res.Properties.ReturnEnergy}
	}
	analysis, err := core.Analyze(components) // energies, gradients, Hessians, every property
	if err != nil {
		return err
	}
	fmt.Fprintln(w, analysis.Table)

	// The Computer runs a whole QCSchema ManyBodyInput (as QCManyBody writes it) on an executor.
	input, _, err := qcschema.DecodeManyBodyInput(dimerJSON) // a v1 input; a v2 one is the second value
	if err != nil {
		return err
	}
	rec := stats.NewRecorder()
	comp := &computer.Computer{Executor: executor.NewPool(0, executor.Options{}), Stats: rec}
	result, err := comp.Compute(ctx, input) // *qcschema.ManyBodyResult
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "cp interaction energy: %.9f Eh\n", result.ReturnResult.Scalar)
	return rec.Report(0).WriteText(w)
}
