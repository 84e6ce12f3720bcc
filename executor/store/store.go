package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Errors callers branch on. Stores wrap them with the file name and details.
var (
	// ErrNotFound is returned by Get when nothing is stored under a key.
	ErrNotFound = errors.New("store: not found")
	// ErrNotStore says that a file exists but is not a qcmb result store.
	ErrNotStore = errors.New("not a qcmb result store")
	// ErrCorrupt says that a store file is damaged.
	ErrCorrupt = errors.New("store file is corrupt")
	// ErrNewerSchema says that a store was written by a newer qcmb whose schema this one
	// does not know.
	ErrNewerSchema = errors.New("store was written by a newer version of qcmb")
	// ErrFull says that a write failed because the disk (or the store's size limit) is
	// full. The store keeps what it held before the write.
	ErrFull = errors.New("store is full (no space left on device)")
	// ErrReadOnly says that a store takes no new entries: it is on read-only media, or
	// its file or directory cannot be written. What it holds can still be read (see
	// Unwritable).
	ErrReadOnly = errors.New("store is read-only")
)

// Key identifies a task's result: the SHA-256 of its program, program version and
// canonical payload (see TaskKey).
type Key [sha256.Size]byte

// String returns the key in hexadecimal.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// ParseKey reads a key written by Key.String.
func ParseKey(s string) (Key, error) {
	var k Key
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(k) {
		return k, fmt.Errorf("store: %q is not a key (64 hexadecimal digits)", s)
	}
	copy(k[:], b)
	return k, nil
}

// Entry is the stored outcome of one task.
type Entry struct {
	Key Key
	// Program and Version name the program that ran the task (registry name, lower case).
	Program, Version string
	// TaskID is the id of the payload that produced the entry (the many-body label).
	TaskID string
	// OK says that the task succeeded; Result then holds its AtomicResult JSON as the
	// program returned it. Otherwise ErrorType (a QCSchema error type when known) and
	// Error say why it failed.
	OK        bool
	Result    []byte
	ErrorType string
	Error     string
	// Attempts is the number of times the executor ran the task; Start and End bound the
	// last attempt.
	Attempts   int
	Start, End time.Time
}

// Run statuses.
const (
	RunRunning     = "running"     // started, not finished (or killed)
	RunSucceeded   = "succeeded"   // every task done
	RunFailed      = "failed"      // some tasks failed
	RunInterrupted = "interrupted" // cancelled before every task finished
)

// Run records one many-body run that used the store.
type Run struct {
	// ID is assigned by RecordRun on the first call.
	ID int64
	// InputHash identifies the input (see InputHash).
	InputHash string
	Start     time.Time
	// End is zero while the run is going.
	End    time.Time
	Status string
	// Tasks is the number of tasks of the run; Reused were answered from the store,
	// Computed ran and succeeded, Failed ran and failed.
	Tasks, Reused, Computed, Failed int
}

// Store keeps task outcomes. Implementations are safe for concurrent use.
type Store interface {
	// Get returns the entry stored under key, or an error wrapping ErrNotFound.
	Get(ctx context.Context, key Key) (Entry, error)
	// Put stores an outcome. A success replaces a failure; a stored success is kept (a
	// result is determined by its key, so the first one stays and reruns stay identical).
	Put(ctx context.Context, e Entry) error
	// RecordRun inserts run (setting its ID) when run.ID is 0 and updates it otherwise.
	RecordRun(ctx context.Context, run *Run) error
}

// InputHash returns the hexadecimal SHA-256 of data, the canonical form of an input (for
// Run.InputHash).
func InputHash(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// RunLister is implemented by Stores that can list the runs they recorded.
type RunLister interface {
	// Runs returns the runs recorded for the input hash ("" for all), oldest first.
	Runs(ctx context.Context, inputHash string) ([]Run, error)
}

// Unwritable is implemented by Stores that may be open for reading only (a store on
// read-only media, or on a full disk). Wrap runs no task such a store has no result for:
// nothing is computed that could not be kept.
type Unwritable interface {
	// Unwritable returns nil if the store takes new entries, else why not: an error
	// wrapping ErrReadOnly or ErrFull. Put then fails with it and RecordRun records
	// nothing.
	Unwritable() error
}

// unwritable is why s takes no new entries, nil if it does.
func unwritable(s Store) error {
	if u, ok := s.(Unwritable); ok {
		return u.Unwritable()
	}
	return nil
}

// BatchGetter is implemented by Stores that read many entries at once faster than one at
// a time. Lookup and Wrap use it when it is there.
type BatchGetter interface {
	// GetMany returns the entries stored under keys; keys with nothing stored are absent.
	GetMany(ctx context.Context, keys []Key) (map[Key]Entry, error)
}
