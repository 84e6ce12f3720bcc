package sqlite_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	_ "github.com/qcmb-go/qcmb/engine/hf"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/executor/store/sqlite"
	"github.com/qcmb-go/qcmb/qcschema"
)

// h2 is a task for the embedded program: H2 at 1.4 bohr, HF/STO-3G.
var h2 = executor.Task{ID: "H2", Program: "embedded", Payload: []byte(`{"schema_name": "qcschema_input",
	"schema_version": 1, "id": "H2", "molecule": {"symbols": ["H", "H"], "geometry": [0, 0, 0, 0, 0, 1.4]},
	"driver": "energy", "model": {"method": "hf", "basis": "sto-3g"}}`)}

// A store in a file keeps results across processes; opening a file that is not a store
// fails and leaves the file alone.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "qcmb-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	s, err := sqlite.Open(ctx, filepath.Join(dir, "results.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = store.Wrap(executor.NewSerial(executor.Options{}), s).Execute(ctx, []executor.Task{h2}, func(executor.Outcome) {})
	s.Close()

	s, _ = sqlite.Open(ctx, filepath.Join(dir, "results.db"))
	defer s.Close()
	key, _, _ := store.NewKeyer(nil).Key(ctx, h2)
	e, _ := s.Get(ctx, key)
	var res qcschema.AtomicResult
	_ = json.Unmarshal(e.Result, &res)
	fmt.Printf("stored: %s by %s %s, %.4f hartree\n", e.TaskID, e.Program, e.Version, *res.Properties.ReturnEnergy)

	notes := filepath.Join(dir, "notes.txt")
	_ = os.WriteFile(notes, []byte("not a database"), 0o644)
	_, err = sqlite.Open(ctx, notes)
	fmt.Println(errors.Is(err, store.ErrNotStore))
	// Output:
	// stored: H2 by embedded 0.1.0, -1.1167 hartree
	// true
}
