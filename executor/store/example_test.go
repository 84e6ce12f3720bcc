package store_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/qcschema"
)

// h2 is a task for the embedded program: H2 at bond length r bohr, HF/STO-3G.
func h2(r float64) executor.Task {
	in := qcschema.AtomicInput{
		SchemaName: qcschema.SchemaInput, SchemaVersion: 1, ID: fmt.Sprintf("H2 at %g bohr", r),
		Molecule: qcschema.Molecule{Symbols: []string{"H", "H"}, Geometry: []float64{0, 0, 0, 0, 0, r}},
		Driver:   qcschema.DriverEnergy, Model: qcschema.Model{Method: "hf", Basis: "sto-3g"},
	}
	payload, _ := json.Marshal(&in)
	return executor.Task{ID: in.ID, Program: "embedded", Payload: payload}
}

// Wrap an executor so that what it computed once is not computed again.
func ExampleWrap() {
	ex := store.Wrap(executor.NewSerial(executor.Options{}), store.NewMemory())
	report := func(o executor.Outcome) {
		fmt.Printf("%s: %.4f hartree, reused %v\n", o.ID, *o.Result.Properties.ReturnEnergy, o.Reused)
	}
	ctx := context.Background()
	_ = ex.Execute(ctx, []executor.Task{h2(1.4)}, report)
	_ = ex.Execute(ctx, []executor.Task{h2(1.4), h2(1.6)}, report)
	// Output:
	// H2 at 1.4 bohr: -1.1167 hartree, reused false
	// H2 at 1.4 bohr: -1.1167 hartree, reused true
	// H2 at 1.6 bohr: -1.1031 hartree, reused false
}

// TaskKey finds the same calculation whatever the task is called.
func ExampleTaskKey() {
	a, idA, _ := store.TaskKey("embedded", "0.1.0", []byte(`{"id": "a", "molecule": {"symbols": ["He"], "geometry": [0, 0, 0]}}`))
	b, idB, _ := store.TaskKey("psi4", "1.3.2", []byte(`{"molecule": {"geometry": [0.0, 0.0, 0.0], "symbols": ["He"]}, "id": "b"}`))
	c, _, _ := store.TaskKey("embedded", "0.1.0", []byte(`{"molecule": {"geometry": [0.0, 0.0, 0.0], "symbols": ["He"]}, "id": "b"}`))
	fmt.Println(idA, idB, a == b, a == c)
	// Output: a b false true
}

// Lookup tells what a store holds for a batch before anything runs, as "qcmb store show"
// does.
func ExampleLookup() {
	s := store.NewMemory()
	ctx := context.Background()
	_ = store.Wrap(executor.NewSerial(executor.Options{}), s).Execute(ctx, []executor.Task{h2(1.4)}, func(executor.Outcome) {})

	tasks := []executor.Task{h2(1.4), h2(1.5)}
	found, _ := store.Lookup(ctx, s, tasks)
	for i, f := range found {
		switch {
		case f.Result != nil:
			fmt.Printf("%s: done, %.4f hartree\n", tasks[i].ID, *f.Result.Properties.ReturnEnergy)
		case f.Entry != nil:
			fmt.Printf("%s: failed: %s\n", tasks[i].ID, f.Entry.Error)
		default:
			fmt.Printf("%s: missing\n", tasks[i].ID)
		}
	}
	// Output:
	// H2 at 1.4 bohr: done, -1.1167 hartree
	// H2 at 1.5 bohr: missing
}
