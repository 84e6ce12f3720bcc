package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	_ "github.com/qcmb-go/qcmb/engine/hf"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/qcschema"
)

// h2Task is a task that computes H2 at bond length r (bohr) with the embedded HF/STO-3G.
func h2Task(t testing.TB, r float64) executor.Task {
	t.Helper()
	in := qcschema.AtomicInput{
		SchemaName: qcschema.SchemaInput, SchemaVersion: 1,
		ID: fmt.Sprintf("h2 r=%g", r),
		Molecule: qcschema.Molecule{
			Symbols:  []string{"H", "H"},
			Geometry: []float64{0, 0, 0, 0, 0, r},
		},
		Driver:    qcschema.DriverEnergy,
		Model:     qcschema.Model{Method: "hf", Basis: "sto-3g"},
		Keywords:  map[string]any{},
		Protocols: map[string]any{},
	}
	data, err := json.Marshal(&in)
	require.NoError(t, err)
	return executor.Task{ID: in.ID, Program: "embedded", Payload: data}
}

// countingSerial is a Serial executor running the engine registry's programs that counts
// the tasks it runs.
func countingSerial(runs *atomic.Int64) executor.Executor {
	engine := executor.EngineRunner()
	return executor.NewSerial(executor.Options{Runner: executor.RunnerFunc(
		func(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error) {
			runs.Add(1)
			return engine.Run(ctx, program, payload)
		})})
}

// collect runs tasks on ex and returns the outcomes by task index.
func collect(t testing.TB, ex executor.Executor, tasks []executor.Task) ([]executor.Outcome, error) {
	t.Helper()
	out := make([]executor.Outcome, len(tasks))
	err := ex.Execute(context.Background(), tasks, func(o executor.Outcome) { out[o.Index] = o })
	return out, err
}

// batchMemory is Memory read through store.BatchGetter, the path Lookup takes for stores
// that read many entries at once (the SQLite store).
type batchMemory struct{ *store.Memory }

func (b batchMemory) GetMany(ctx context.Context, keys []store.Key) (map[store.Key]store.Entry, error) {
	out := map[store.Key]store.Entry{}
	for _, k := range keys {
		e, err := b.Get(ctx, k)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[k] = e
	}
	return out, nil
}

// stores returns a fresh store of each kind Lookup reads: one entry at a time, and many.
func stores(*testing.T) map[string]store.Store {
	return map[string]store.Store{"memory": store.NewMemory(), "batch": batchMemory{store.NewMemory()}}
}
