package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor/store"
)

// stores returns a fresh store of each implementation.
func stores(t *testing.T) map[string]store.Store {
	t.Helper()
	s, err := store.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "results.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return map[string]store.Store{"memory": store.NewMemory(), "sqlite": s}
}

func TestPutGet(t *testing.T) {
	ctx := context.Background()
	key := func(b byte) store.Key { var k store.Key; k[0] = b; return k }
	start := time.Date(2026, 12, 1, 10, 0, 0, 123456789, time.UTC)
	steps := []struct {
		name string
		put  store.Entry
		want store.Entry // what Get returns afterwards
	}{
		{"a failure is stored",
			store.Entry{Key: key(1), Program: "embedded", Version: "0.1.0", TaskID: "t", ErrorType: "random_error", Error: "SCF did not converge", Attempts: 2, Start: start, End: start.Add(time.Second)},
			store.Entry{Key: key(1), Program: "embedded", Version: "0.1.0", TaskID: "t", ErrorType: "random_error", Error: "SCF did not converge", Attempts: 2, Start: start, End: start.Add(time.Second)}},
		{"a later failure replaces it",
			store.Entry{Key: key(1), Program: "embedded", Version: "0.1.0", TaskID: "t", ErrorType: "unknown_error", Error: "worker crashed", Attempts: 1},
			store.Entry{Key: key(1), Program: "embedded", Version: "0.1.0", TaskID: "t", ErrorType: "unknown_error", Error: "worker crashed", Attempts: 1}},
		{"a success replaces a failure",
			store.Entry{Key: key(1), Program: "embedded", Version: "0.1.0", TaskID: "t", OK: true, Result: []byte(`{"success":true}`), Attempts: 1, Start: start},
			store.Entry{Key: key(1), Program: "embedded", Version: "0.1.0", TaskID: "t", OK: true, Result: []byte(`{"success":true}`), Attempts: 1, Start: start}},
		{"a failure does not replace a success",
			store.Entry{Key: key(1), Program: "embedded", Version: "0.1.0", TaskID: "t", Error: "late failure"},
			store.Entry{Key: key(1), Program: "embedded", Version: "0.1.0", TaskID: "t", OK: true, Result: []byte(`{"success":true}`), Attempts: 1, Start: start}},
		{"a second success keeps the first",
			store.Entry{Key: key(1), Program: "embedded", Version: "0.1.0", TaskID: "other", OK: true, Result: []byte(`{"success":true,"id":"x"}`)},
			store.Entry{Key: key(1), Program: "embedded", Version: "0.1.0", TaskID: "t", OK: true, Result: []byte(`{"success":true}`), Attempts: 1, Start: start}},
	}
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			_, err := s.Get(ctx, key(1))
			require.ErrorIs(t, err, store.ErrNotFound)
			for _, step := range steps {
				require.NoError(t, s.Put(ctx, step.put), step.name)
				got, err := s.Get(ctx, key(1))
				require.NoError(t, err, step.name)
				require.True(t, got.Start.Equal(step.want.Start), step.name)
				require.True(t, got.End.Equal(step.want.End), step.name)
				got.Start, got.End, step.want.Start, step.want.End = time.Time{}, time.Time{}, time.Time{}, time.Time{}
				require.Equal(t, step.want, got, step.name)
			}
			_, err = s.Get(ctx, key(2))
			require.ErrorIs(t, err, store.ErrNotFound)
		})
	}
}

func TestRecordRun(t *testing.T) {
	ctx := context.Background()
	begin := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for name, s := range stores(t) {
		t.Run(name, func(t *testing.T) {
			first := &store.Run{InputHash: "abc", Start: begin, Status: store.RunRunning, Tasks: 65}
			require.NoError(t, s.RecordRun(ctx, first))
			require.NotZero(t, first.ID)
			other := &store.Run{InputHash: "def", Start: begin, Status: store.RunRunning, Tasks: 3}
			require.NoError(t, s.RecordRun(ctx, other))
			require.NotEqual(t, first.ID, other.ID)

			first.End, first.Status, first.Reused, first.Computed, first.Failed = begin.Add(time.Minute), store.RunFailed, 10, 50, 5
			require.NoError(t, s.RecordRun(ctx, first))

			runs, err := s.(store.RunLister).Runs(ctx, "abc")
			require.NoError(t, err)
			require.Len(t, runs, 1)
			got := runs[0]
			require.True(t, got.Start.Equal(first.Start) && got.End.Equal(first.End))
			got.Start, got.End = first.Start, first.End
			require.Equal(t, *first, got)

			all, err := s.(store.RunLister).Runs(ctx, "")
			require.NoError(t, err)
			require.Len(t, all, 2)

			require.Error(t, s.RecordRun(ctx, &store.Run{ID: 99}), "updating a run that does not exist")
		})
	}
}

func TestParseKey(t *testing.T) {
	k, _, err := store.TaskKey("embedded", "0.1.0", []byte(`{"molecule":{}}`))
	require.NoError(t, err)
	back, err := store.ParseKey(k.String())
	require.NoError(t, err)
	require.Equal(t, k, back)
	for _, bad := range []string{"", "zz", k.String()[:10]} {
		_, err := store.ParseKey(bad)
		require.Error(t, err, bad)
	}
	require.False(t, errors.Is(err, store.ErrNotFound))
}
