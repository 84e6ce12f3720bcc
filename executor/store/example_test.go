package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

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

// A store in a file keeps results across processes; opening a file that is not a store
// fails and leaves the file alone.
func ExampleOpenSQLite() {
	dir, _ := os.MkdirTemp("", "qcmb-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	s, err := store.OpenSQLite(ctx, filepath.Join(dir, "results.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = store.Wrap(executor.NewSerial(executor.Options{}), s).Execute(ctx, []executor.Task{h2(1.4)}, func(executor.Outcome) {})
	s.Close()

	s, _ = store.OpenSQLite(ctx, filepath.Join(dir, "results.db"))
	defer s.Close()
	key, _, _ := store.NewKeyer(nil).Key(ctx, h2(1.4))
	e, _ := s.Get(ctx, key)
	var res qcschema.AtomicResult
	_ = json.Unmarshal(e.Result, &res)
	fmt.Printf("stored: %s by %s %s, %.4f hartree\n", e.TaskID, e.Program, e.Version, *res.Properties.ReturnEnergy)

	notes := filepath.Join(dir, "notes.txt")
	_ = os.WriteFile(notes, []byte("not a database"), 0o644)
	_, err = store.OpenSQLite(ctx, notes)
	fmt.Println(errors.Is(err, store.ErrNotStore))
	// Output:
	// stored: H2 at 1.4 bohr by embedded 0.1.0, -1.1167 hartree
	// true
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
