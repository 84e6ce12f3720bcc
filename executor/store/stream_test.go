package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
)

// stream runs a stream through ex in which the outcome of each of the first bonds adds the
// next longer one, up to n, and returns the outcomes by stream index.
func stream(t *testing.T, ex executor.Executor, n int) ([]executor.Outcome, error) {
	t.Helper()
	q := executor.NewQueue(h2Task(t, 1.0), h2Task(t, 1.1))
	added := 2
	var out []executor.Outcome
	err := executor.Stream(context.Background(), ex, q, func(o executor.Outcome) {
		for len(out) <= o.Index {
			out = append(out, executor.Outcome{})
		}
		out[o.Index] = o
		if added < n {
			require.NoError(t, q.Add(h2Task(t, 1.0+0.1*float64(added))))
			added++
		}
		if done := func() int {
			k := 0
			for _, x := range out {
				if x.ID != "" {
					k++
				}
			}
			return k
		}(); done == added {
			q.Close()
		}
	})
	return out, err
}

// TestWrapStream: store.Wrap streams, whatever the executor it wraps: the tasks added while
// others run are looked up as they arrive, stored as they finish, and reused by the next
// stream with bit-identical results.
func TestWrapStream(t *testing.T) {
	inner := map[string]func(runs *atomic.Int64) executor.Executor{
		"serial": countingSerial,
		"batch-only": func(runs *atomic.Int64) executor.Executor {
			return executor.ExecutorFunc(countingSerial(runs).Execute)
		},
	}
	for name, mk := range inner {
		for sname, s := range stores(t) {
			t.Run(name+"/"+sname, func(t *testing.T) {
				var runs atomic.Int64
				ex := store.Wrap(mk(&runs), s)
				_, ok := ex.(executor.Streamer)
				require.True(t, ok, "a wrapped executor streams")
				first, err := stream(t, ex, 5)
				require.NoError(t, err)
				require.Len(t, first, 5)
				require.EqualValues(t, 5, runs.Load())
				second, err := stream(t, ex, 6)
				require.NoError(t, err)
				require.Len(t, second, 6)
				require.EqualValues(t, 6, runs.Load(), "only the sixth bond runs again")
				for i, o := range second {
					require.NoError(t, o.Err)
					assert.Equal(t, fmt.Sprintf("h2 r=%g", 1.0+0.1*float64(i)), o.ID)
					assert.Equal(t, i < 5, o.Reused, "task %d", i)
					if i < 5 {
						want, _ := json.Marshal(first[i].Result)
						got, _ := json.Marshal(o.Result)
						assert.JSONEq(t, string(want), string(got))
						assert.Equal(t, string(want), string(got), "a reused result is the stored one, bit for bit")
					}
				}
			})
		}
	}
}
