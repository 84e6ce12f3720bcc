package executor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

// A toy program: the energy is a sum of pair terms -1/r^6 over the real atoms.
func dispersion(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	g := in.Molecule.Geometry
	if len(g) != 3*len(in.Molecule.Symbols) {
		return nil, qcschema.NewFailedOperation(in, qcschema.ErrorInput, "geometry does not match symbols")
	}
	var e float64
	for i := 0; i < len(g); i += 3 {
		for j := i + 3; j < len(g); j += 3 {
			r := math.Hypot(math.Hypot(g[i]-g[j], g[i+1]-g[j+1]), g[i+2]-g[j+2])
			e -= 1 / math.Pow(r, 6)
		}
	}
	return &qcschema.AtomicResult{
		SchemaName: qcschema.SchemaOutput, SchemaVersion: 1, ID: in.ID,
		Molecule: in.Molecule, Driver: in.Driver, Model: in.Model,
		Properties:   qcschema.AtomicResultProperties{ReturnEnergy: &e},
		ReturnResult: qcschema.ReturnResult{Scalar: e},
		Success:      true,
	}, nil
}

func init() {
	// Programs register once, under a unique name, usually in an init function.
	engine.Register("example-dispersion", engine.ProgramFunc(dispersion))
}

func ExampleNewPool() {
	var tasks []executor.Task
	for n := 1; n <= 4; n++ {
		in := qcschema.AtomicInput{SchemaName: qcschema.SchemaInput, SchemaVersion: 1,
			ID: fmt.Sprintf("chain-%d", n), Driver: qcschema.DriverEnergy, Model: qcschema.Model{Method: "toy"}}
		for i := range n {
			in.Molecule.Symbols = append(in.Molecule.Symbols, "Ar")
			in.Molecule.Geometry = append(in.Molecule.Geometry, 0, 0, 7*float64(i))
		}
		payload, err := json.Marshal(in)
		if err != nil {
			panic(err)
		}
		tasks = append(tasks, executor.Task{ID: in.ID, Program: "example-dispersion", Payload: payload, Cost: float64(n * n)})
	}

	pool := executor.NewPool(2, executor.Options{Retries: 1})
	energies := make([]float64, len(tasks)) // outcomes arrive in completion order
	err := pool.Execute(context.Background(), tasks, func(o executor.Outcome) {
		if o.Err == nil {
			energies[o.Index] = o.Result.ReturnResult.Scalar
		}
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, e := range energies {
		fmt.Printf("%s: %.6e\n", tasks[i].ID, e)
	}
	// Output:
	// chain-1: 0.000000e+00
	// chain-2: -8.499860e-06
	// chain-3: -1.713253e-05
	// chain-4: -2.577686e-05
}
