// Package storetest checks that an implementation of store.Store keeps the contract the
// package's Wrap and Lookup rely on, as testing/fstest does for file systems: stores in
// other packages (the SQLite store, a caller's own) run the same tests as Memory.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor/store"
)

// Run runs the contract tests on stores that open returns, a new empty one each call. A
// store that does not implement store.RunLister has its runs checked through
// RecordRun alone.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("PutGet", func(t *testing.T) { testPutGet(t, open) })
	t.Run("RecordRun", func(t *testing.T) { testRecordRun(t, open) })
}

// testPutGet: a failure is stored and replaced by a later one or a success; a success
// is kept whatever comes after it.
func testPutGet(t *testing.T, open func(t *testing.T) store.Store) {
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
	s := open(t)
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
}

// testRecordRun: runs get distinct ids, are updated in place and listed by input.
func testRecordRun(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	begin := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s := open(t)
	first := &store.Run{InputHash: "abc", Start: begin, Status: store.RunRunning, Tasks: 65}
	require.NoError(t, s.RecordRun(ctx, first))
	require.NotZero(t, first.ID)
	other := &store.Run{InputHash: "def", Start: begin, Status: store.RunRunning, Tasks: 3}
	require.NoError(t, s.RecordRun(ctx, other))
	require.NotEqual(t, first.ID, other.ID)

	first.End, first.Status, first.Reused, first.Computed, first.Failed = begin.Add(time.Minute), store.RunFailed, 10, 50, 5
	require.NoError(t, s.RecordRun(ctx, first))
	require.Error(t, s.RecordRun(ctx, &store.Run{ID: 99}), "updating a run that does not exist")

	lister, ok := s.(store.RunLister)
	if !ok {
		return
	}
	runs, err := lister.Runs(ctx, "abc")
	require.NoError(t, err)
	require.Len(t, runs, 1)
	got := runs[0]
	require.True(t, got.Start.Equal(first.Start) && got.End.Equal(first.End))
	got.Start, got.End = first.Start, first.End
	require.Equal(t, *first, got)

	all, err := lister.Runs(ctx, "")
	require.NoError(t, err)
	require.Len(t, all, 2)

}
