package store

import (
	"bytes"
	"context"
	"fmt"
	"sync"
)

// Memory is a Store in memory, for tests and programs that need no durability. The zero
// value is ready to use.
type Memory struct {
	mu      sync.Mutex
	entries map[Key]Entry
	runs    []Run
}

// NewMemory returns an empty Memory store.
func NewMemory() *Memory { return &Memory{} }

// Get implements Store.
func (m *Memory) Get(ctx context.Context, key Key) (Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok {
		return Entry{}, fmt.Errorf("key %s: %w", key, ErrNotFound)
	}
	e.Result = bytes.Clone(e.Result)
	return e, nil
}

// Put implements Store.
func (m *Memory) Put(ctx context.Context, e Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.entries[e.Key]; ok && old.OK {
		return nil
	}
	if m.entries == nil {
		m.entries = map[Key]Entry{}
	}
	e.Result = bytes.Clone(e.Result)
	m.entries[e.Key] = e
	return nil
}

// RecordRun implements Store.
func (m *Memory) RecordRun(ctx context.Context, run *Run) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if run.ID == 0 {
		run.ID = int64(len(m.runs) + 1)
		m.runs = append(m.runs, *run)
		return nil
	}
	if run.ID < 0 || run.ID > int64(len(m.runs)) {
		return fmt.Errorf("store: no run %d", run.ID)
	}
	m.runs[run.ID-1] = *run
	return nil
}

// Runs returns the runs recorded with the input hash, oldest first ("" for all).
func (m *Memory) Runs(ctx context.Context, inputHash string) ([]Run, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Run
	for _, r := range m.runs {
		if inputHash == "" || r.InputHash == inputHash {
			out = append(out, r)
		}
	}
	return out, nil
}
