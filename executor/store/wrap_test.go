package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/qcschema"
)

// h2Energy is the RHF/STO-3G energy of H2 at 1.4 bohr (Szabo and Ostlund, table 3.7).
const h2Energy = -1.1167

func TestWrapReusesStoredResults(t *testing.T) {
	tasks := []executor.Task{}
	for _, r := range []float64{1.2, 1.4, 1.6} {
		tasks = append(tasks, h2Task(t, r))
	}
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			var runs atomic.Int64
			ex := store.Wrap(countingSerial(&runs), s)

			first, err := collect(t, ex, tasks[:2])
			require.NoError(t, err)
			require.EqualValues(t, 2, runs.Load())
			require.InDelta(t, h2Energy, *first[1].Result.Properties.ReturnEnergy, 1e-4)
			for _, o := range first {
				require.False(t, o.Reused)
				require.Equal(t, 1, o.Attempts)
			}

			// The second batch reuses the two stored results and runs only the third.
			second, err := collect(t, ex, tasks)
			require.NoError(t, err)
			require.EqualValues(t, 3, runs.Load())
			for i, o := range second {
				require.Equal(t, i, o.Index)
				require.Equal(t, tasks[i].ID, o.ID)
				require.Equal(t, i < 2, o.Reused, "task %d", i)
				require.Equal(t, tasks[i].ID, o.Result.ID)
			}
			for i := range 2 {
				want, err := json.Marshal(first[i].Result)
				require.NoError(t, err)
				got, err := json.Marshal(second[i].Result)
				require.NoError(t, err)
				require.Equal(t, string(want), string(got), "a reused result is the stored one, bit for bit")
			}
			// The bond stretches: the energy rises from the minimum near 1.4 bohr.
			e := func(o executor.Outcome) float64 { return *o.Result.Properties.ReturnEnergy }
			require.Less(t, e(second[1]), e(second[0]))
			require.Less(t, e(second[1]), e(second[2]))

			// A fresh wrapper over the same store finds everything.
			_, err = collect(t, store.Wrap(countingSerial(&runs), s), tasks)
			require.NoError(t, err)
			require.EqualValues(t, 3, runs.Load())
		})
	}
}

// The same calculation under another label (another input) is found, and answers with
// the label of the task that asked.
func TestWrapFindsTheSameCalculationUnderAnotherID(t *testing.T) {
	s := store.NewMemory()
	var runs atomic.Int64
	ex := store.Wrap(countingSerial(&runs), s)
	task := h2Task(t, 1.4)
	_, err := collect(t, ex, []executor.Task{task})
	require.NoError(t, err)

	var in map[string]any
	require.NoError(t, json.Unmarshal(task.Payload, &in))
	in["id"] = `["(auto)", [1], [1]]`
	other := executor.Task{ID: "other input", Program: "embedded"}
	other.Payload, err = json.Marshal(in)
	require.NoError(t, err)
	out, err := collect(t, ex, []executor.Task{other})
	require.NoError(t, err)
	require.EqualValues(t, 1, runs.Load())
	require.True(t, out[0].Reused)
	require.Equal(t, `["(auto)", [1], [1]]`, out[0].Result.ID)
	require.InDelta(t, h2Energy, *out[0].Result.Properties.ReturnEnergy, 1e-4)
}

func TestWrapStoresFailuresAndRetriesThem(t *testing.T) {
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			good := h2Task(t, 1.4)
			bad := h2Task(t, 1.5)
			var in qcschema.AtomicInput
			require.NoError(t, json.Unmarshal(bad.Payload, &in))
			in.Model.Basis = "no-such-basis"
			var err error
			bad.Payload, err = json.Marshal(&in)
			require.NoError(t, err)

			var runs atomic.Int64
			ex := store.Wrap(countingSerial(&runs), s)
			tasks := []executor.Task{bad, good}
			out, err := collect(t, ex, tasks)
			var be *executor.BatchError
			require.ErrorAs(t, err, &be)
			require.Len(t, be.Failed, 1)
			require.Equal(t, 0, be.Failed[0].Index)
			require.Contains(t, out[0].Err.Error(), "no-such-basis")

			key, _, err := store.TaskKey("embedded", "0.1.0", bad.Payload)
			require.NoError(t, err)
			e, err := s.Get(context.Background(), key)
			require.NoError(t, err)
			require.False(t, e.OK)
			require.Equal(t, qcschema.ErrorInput, e.ErrorType)
			require.Contains(t, e.Error, "no-such-basis")
			require.Equal(t, bad.ID, e.TaskID)

			// The rerun runs the failed task again (and only it); its failure is reported
			// with its index in the whole batch.
			_, err = collect(t, ex, tasks)
			require.ErrorAs(t, err, &be)
			require.Equal(t, 0, be.Failed[0].Index)
			require.EqualValues(t, 3, runs.Load())
		})
	}
}

// failingStore fails every Put after the first n.
type failingStore struct {
	store.Store
	n    int
	puts int
}

var errDiskFull = errors.New("disk full")

func (f *failingStore) Put(ctx context.Context, e store.Entry) error {
	f.puts++
	if f.puts > f.n {
		return errDiskFull
	}
	return f.Store.Put(ctx, e)
}

func (f *failingStore) Get(ctx context.Context, k store.Key) (store.Entry, error) {
	return f.Store.Get(ctx, k)
}

func TestWrapStopsWhenTheStoreFails(t *testing.T) {
	var tasks []executor.Task
	for i := range 5 {
		tasks = append(tasks, h2Task(t, 1.2+0.1*float64(i)))
	}
	s := &failingStore{Store: store.NewMemory(), n: 1}
	var runs atomic.Int64
	var handed []executor.Outcome
	err := store.Wrap(countingSerial(&runs), s).Execute(context.Background(), tasks, func(o executor.Outcome) {
		handed = append(handed, o)
	})
	require.ErrorIs(t, err, errDiskFull)
	require.EqualValues(t, 2, runs.Load(), "the run stops after the outcome that could not be stored")
	require.Len(t, handed, 2, "the outcome that could not be stored is still handed on")
	for _, o := range handed {
		require.NoError(t, o.Err)
	}
}

// getFailing fails every Get.
type getFailing struct{ store.Store }

func (getFailing) Get(context.Context, store.Key) (store.Entry, error) {
	return store.Entry{}, fmt.Errorf("reading: %w", store.ErrCorrupt)
}

func TestWrapRunsNothingWhenTheStoreCannotBeRead(t *testing.T) {
	var runs atomic.Int64
	_, err := collect(t, store.Wrap(countingSerial(&runs), getFailing{store.NewMemory()}), []executor.Task{h2Task(t, 1.4)})
	require.ErrorIs(t, err, store.ErrCorrupt)
	require.Zero(t, runs.Load())
}
