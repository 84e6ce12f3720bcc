//go:build unix

package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/executor/store/sqlite"
	"github.com/qcmb-go/qcmb/qcschema"
)

// cpuTime is the processor time (user and system) this process has used so far. On a
// shared, loaded machine it says more than the wall time of a benchmark.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the processor time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric((cpuTime(b)-start).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkReadGradients reads back 5,000 stored gradient results (key, lookup, decode;
// target: under 1 s) of water-trimer-sized (9 atoms) and of 30-atom fragments.
func BenchmarkReadGradients(b *testing.B) {
	for _, atoms := range []int{9, 30} {
		b.Run(fmt.Sprintf("atoms=%d", atoms), func(b *testing.B) { readGradients(b, atoms) })
	}
}

func readGradients(b *testing.B, atoms int) {
	const n = 5000
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "results.db")
	s, err := sqlite.Open(ctx, path)
	require.NoError(b, err)
	rng := rand.New(rand.NewPCG(1, 2))
	tasks := make([]executor.Task, n)
	keyer := store.NewKeyer(nil)
	for i := range tasks {
		in := qcschema.AtomicInput{SchemaName: qcschema.SchemaInput, SchemaVersion: 1, ID: fmt.Sprint("task ", i),
			Driver: qcschema.DriverGradient, Model: qcschema.Model{Method: "mp2", Basis: "cc-pvdz"}}
		in.Molecule.Symbols = make([]string, atoms)
		in.Molecule.Geometry = make([]float64, 3*atoms)
		for a := range atoms {
			in.Molecule.Symbols[a] = []string{"O", "H", "H"}[a%3]
		}
		for k := range in.Molecule.Geometry {
			in.Molecule.Geometry[k] = 20 * rng.Float64()
		}
		payload, err := json.Marshal(&in)
		require.NoError(b, err)
		tasks[i] = executor.Task{ID: in.ID, Program: "embedded", Payload: payload}
		res := qcschema.NewAtomicResult(&in, qcschema.Provenance{Creator: "benchmark"})
		e := -76*float64(atoms)/3 + rng.Float64()
		grad := make([]float64, 3*atoms)
		for k := range grad {
			grad[k] = rng.NormFloat64() * 1e-2
		}
		res.Success = true
		res.Properties.ReturnEnergy = &e
		res.Properties.ReturnGradient = grad
		res.ReturnResult.Array = grad
		data, err := json.Marshal(res)
		require.NoError(b, err)
		key, id, err := keyer.Key(ctx, tasks[i])
		require.NoError(b, err)
		require.NoError(b, s.Put(ctx, store.Entry{Key: key, Program: "embedded", TaskID: id, OK: true, Result: data}))
	}
	s.Close()
	defer reportCPU(b, cpuTime(b))
	for b.Loop() {
		s, err := sqlite.Open(ctx, path)
		require.NoError(b, err)
		found, err := store.Lookup(ctx, s, tasks)
		require.NoError(b, err)
		for i, f := range found {
			if f.Result == nil || len(f.Result.ReturnResult.Array) != 3*atoms {
				require.FailNowf(b, "no gradient read back", "task %d", i)
			}
		}
		s.Close()
	}
}
