package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Interfaces Store implements.
var (
	_ store.Store       = (*Store)(nil)
	_ store.BatchGetter = (*Store)(nil)
	_ store.RunLister   = (*Store)(nil)
	_ store.Unwritable  = (*Store)(nil)
)

// The file format: SQLite's application_id marks a qcmb store ("qcmb" in ASCII) and its
// user_version is the schema version.
const (
	applicationID = 0x71636d62
	schemaVersion = 1
)

// busyTimeout is how long a write waits for another process that holds the store's lock.
const busyTimeout = 30 * time.Second

const schema = `
CREATE TABLE results (
	key        BLOB PRIMARY KEY,
	program    TEXT NOT NULL,
	version    TEXT NOT NULL,
	task_id    TEXT NOT NULL,
	ok         INTEGER NOT NULL,
	result     BLOB,
	error_type TEXT NOT NULL,
	error      TEXT NOT NULL,
	attempts   INTEGER NOT NULL,
	start_ns   INTEGER NOT NULL,
	end_ns     INTEGER NOT NULL,
	stored_ns  INTEGER NOT NULL
);
CREATE TABLE runs (
	id         INTEGER PRIMARY KEY,
	input_hash TEXT NOT NULL,
	start_ns   INTEGER NOT NULL,
	end_ns     INTEGER NOT NULL,
	status     TEXT NOT NULL,
	tasks      INTEGER NOT NULL,
	reused     INTEGER NOT NULL,
	computed   INTEGER NOT NULL,
	failed     INTEGER NOT NULL
);
CREATE INDEX runs_by_input ON runs(input_hash);
`

// ownersSchema records which process made each run, so that a run whose process was
// killed (kill -9, a crash, a power cut) can be told from one that goes on. It is a table
// of its own, created when missing: stores made before it, and qcmb versions that do not
// know it, read and write the others unchanged.
const ownersSchema = `
CREATE TABLE IF NOT EXISTS run_owners (
	run_id INTEGER PRIMARY KEY,
	host   TEXT NOT NULL,
	boot   TEXT NOT NULL,
	pid    INTEGER NOT NULL,
	start  TEXT NOT NULL
);
`

// Store is a store.Store in one SQLite file. Several processes may use the same file at once:
// it is in WAL mode, and a writer waits up to 30 s for another one.
//
// Each Put is one transaction, committed when Put returns: it survives a crash or kill of
// the process. The store does not wait for the disk on every commit (synchronous=NORMAL,
// SQLite's recommended setting for WAL mode, which keeps storing cheap next to short
// tasks), so after a power failure or operating system crash the last results may be
// missing, to be computed again; the store is never damaged by one.
//
// Nothing is written to a store before its integrity is checked, and nothing after damage
// was found in it. A store that cannot be written (read-only media, a file or directory
// without write permission, a full disk) is opened read-only: what it holds is read as
// usual, Put fails with store.ErrReadOnly or store.ErrFull and RecordRun records nothing
// (see Unwritable).
type Store struct {
	path       string
	db         *sql.DB
	get        *sql.Stmt
	put        *sql.Stmt // nil when read-only
	unwritable error     // why the store is open read-only, nil if it is not
	damaged    atomic.Bool
}

// Open opens the store in the file at path, creating the file (not its directory) if it
// does not exist. A file that is not a qcmb store gives an error wrapping
// store.ErrNotStore, a damaged one store.ErrCorrupt, one from a newer schema
// store.ErrNewerSchema; such files are left untouched. An existing store that cannot be
// written (its file or directory is read-only, or its disk full) is opened read-only.
// Runs recorded in the store whose process is gone (killed) are marked
// store.RunInterrupted.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, nil, false)
}

// OpenReadOnly opens the existing store at path for reading only: nothing is written to
// it, nor created beside it (SQLite's shared-memory index of WAL mode is used when a
// process that has the store open made one; without one no process is writing the file,
// and it is read as it is, which also serves read-only media).
func OpenReadOnly(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, nil, true)
}

// open is Open (or OpenReadOnly) with extra per-connection pragmas (tests limit the
// size). While other processes create the same new store, SQLite may fail a lock or the
// removal of a journal another one removed first with an I/O error
// (SQLITE_IOERR_RDLOCK, SQLITE_IOERR_DELETE_NOENT) rather than wait: such an open is
// tried again, for up to the busy timeout.
func open(ctx context.Context, path string, pragmas []string, readOnly bool) (*Store, error) {
	var why error
	if readOnly {
		why = fmt.Errorf("store %s: %w (opened for reading only)", path, store.ErrReadOnly)
	} else {
		var err error
		if why, err = cannotWrite(path); err != nil {
			return nil, err
		}
	}
	deadline := time.Now().Add(busyTimeout)
	for {
		s, err := openOnce(ctx, path, pragmas, why)
		if err == nil || !racedCreation(err) || time.Now().After(deadline) {
			return s, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// cannotWrite says why the existing store at path cannot be written, so that it is to be
// opened read-only (nil if it can): the file, or its directory (where WAL mode keeps its
// write-ahead log and shared-memory index), is not writable, or its disk is full (where
// SQLite would create those files and fail to grow them). A store that does not exist and
// cannot be created is an error.
func cannotWrite(path string) (why, err error) {
	dir := filepath.Dir(path)
	_, statErr := os.Stat(path)
	if errors.Is(statErr, fs.ErrNotExist) {
		if err := writable(dir); err != nil {
			return nil, fmt.Errorf("store %s: cannot create it: %w", path, err)
		}
		return nil, nil
	}
	for _, p := range []string{path, dir} {
		if err := writable(p); err != nil {
			return fmt.Errorf("store %s: %w: %w", path, store.ErrReadOnly, err), nil
		}
	}
	if diskFull(dir) {
		return fmt.Errorf("store %s: %w", path, store.ErrFull), nil
	}
	return nil, nil
}

// racedCreation reports whether err is one of the I/O errors of opening a store that
// other processes are creating at the same time.
func racedCreation(err error) bool {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() {
	case sqlite3.SQLITE_IOERR_RDLOCK, sqlite3.SQLITE_IOERR_DELETE_NOENT:
		return true
	}
	return false
}

// minSize is the size of the smallest SQLite database that is not empty: one page.
const minSize = 512

// checkFile rejects, without opening it, a file that cannot be a store: not a regular
// file, or shorter than one SQLite page. A missing or empty file is a new store, unless it
// is to be read only. The file is not opened here: closing any descriptor of a file
// releases every POSIX lock this process holds on it, those of SQLite's connections to it
// included, and a connection that lost its lock can let another process delete the
// write-ahead log under its writes. SQLite itself tells a file that is no database
// (check).
func checkFile(path string, readOnly bool) error {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) && !readOnly {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("store %s: %w (not a regular file)", path, store.ErrNotStore)
	}
	switch {
	case info.Size() == 0 && readOnly:
		return fmt.Errorf("store %s: %w (an empty file)", path, store.ErrNotStore)
	case info.Size() > 0 && info.Size() < minSize:
		return fmt.Errorf("store %s: %w (%d bytes, shorter than an SQLite database)", path, store.ErrNotStore, info.Size())
	}
	return nil
}

// openOnce opens the store once.
func openOnce(ctx context.Context, path string, pragmas []string, unwritable error) (*Store, error) {
	readOnly := unwritable != nil
	if err := checkFile(path, readOnly); err != nil {
		return nil, err
	}
	s := &Store{path: path, unwritable: unwritable}
	var err error
	if readOnly {
		err = s.openReadOnly(ctx, pragmas)
	} else {
		err = s.openReadWrite(ctx, pragmas)
	}
	if err != nil {
		return nil, err
	}
	s.get, err = s.db.PrepareContext(ctx, `SELECT program, version, task_id, ok, result, error_type, error, attempts, start_ns, end_ns FROM results WHERE key = ?`)
	if err == nil && !readOnly {
		s.put, err = s.db.PrepareContext(ctx, `INSERT INTO results (key, program, version, task_id, ok, result, error_type, error, attempts, start_ns, end_ns, stored_ns)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET program = excluded.program, version = excluded.version,
				task_id = excluded.task_id, ok = excluded.ok, result = excluded.result,
				error_type = excluded.error_type, error = excluded.error, attempts = excluded.attempts,
				start_ns = excluded.start_ns, end_ns = excluded.end_ns, stored_ns = excluded.stored_ns
			WHERE results.ok = 0`)
	}
	if err != nil {
		s.db.Close()
		return nil, s.wrap("preparing statements", err)
	}
	return s, nil
}

// connect opens the database with one connection: writes are serialized anyway, and
// per-connection settings hold.
func (s *Store) connect(dsn string) error {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return s.wrap("opening", err)
	}
	db.SetMaxOpenConns(1)
	s.db = db
	return nil
}

// openReadWrite opens the store for writing: checks that it is a qcmb store and not
// damaged before anything is written, turns on WAL mode, creates the schema of a new
// file and marks the runs whose process is gone interrupted.
func (s *Store) openReadWrite(ctx context.Context, pragmas []string) error {
	if err := s.connect(dsn(s.path, pragmas, "")); err != nil {
		return err
	}
	if err := s.init(ctx); err != nil {
		s.db.Close()
		return err
	}
	return nil
}

// openReadOnly opens the store for reading. Where a process has it open there is a
// shared-memory index beside it, which SQLite's locking uses (its absence would be
// created, and on a full or read-only disk could not be); without one, no process is
// writing the file and it is read as an immutable file, with nothing created beside it.
func (s *Store) openReadOnly(ctx context.Context, pragmas []string) error {
	modes := []string{"mode=ro&immutable=1"}
	if _, err := os.Stat(s.path + "-shm"); err == nil {
		modes = []string{"mode=ro", "mode=ro&immutable=1"}
	}
	var err error
	for _, mode := range modes {
		if err = s.connect(dsn(s.path, pragmas, mode)); err != nil {
			return err
		}
		var fresh bool
		if fresh, err = s.check(ctx, s.db); err == nil && fresh {
			err = fmt.Errorf("store %s: %w (an empty database)", s.path, store.ErrNotStore)
		}
		if err == nil {
			return nil
		}
		s.db.Close()
		if errors.Is(err, store.ErrNotStore) || errors.Is(err, store.ErrNewerSchema) || errors.Is(err, store.ErrCorrupt) {
			return err
		}
	}
	return err
}

// dsn is the modernc.org/sqlite data source name of path: a file: URI, so that any path
// works, with the settings every connection needs, then mode (SQLite's URI parameters
// mode and immutable; "" for a read-write connection).
func dsn(path string, pragmas []string, mode string) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	var b strings.Builder
	b.WriteString("file:" + escaped)
	fmt.Fprintf(&b, "?_pragma=busy_timeout(%d)&_pragma=synchronous(NORMAL)&_txlock=immediate", busyTimeout.Milliseconds())
	for _, p := range pragmas {
		b.WriteString("&_pragma=" + p)
	}
	if mode != "" {
		b.WriteString("&" + mode)
	}
	return b.String()
}

// init checks that the file is a qcmb store of a known schema and undamaged, then (and
// only then) turns on WAL mode, creates the schema in a new file and marks the runs
// whose process is gone interrupted.
func (s *Store) init(ctx context.Context) error {
	fresh, err := s.check(ctx, s.db)
	if err != nil {
		return err
	}
	if !fresh {
		if err := s.checkIntegrity(ctx); err != nil {
			return err
		}
	}
	// WAL mode first: for a new file it is set before there is anything to convert, and
	// for a store it is set already (a persistent setting), so no process waits on
	// another's conversion.
	mode, err := s.walMode(ctx)
	if err != nil {
		return s.wrap("turning on WAL mode", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("store %s: cannot use WAL mode (journal mode is %s)", s.path, mode)
	}
	if err := s.createSchema(ctx, fresh); err != nil {
		return err
	}
	return s.markInterrupted(ctx)
}

// createSchema creates the tables of a new store, and the run owners' table of a store
// made before it existed.
func (s *Store) createSchema(ctx context.Context, fresh bool) error {
	if !fresh {
		var owners int64
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'run_owners'").Scan(&owners); err != nil {
			return s.wrap("reading the schema", err)
		}
		if owners == 1 {
			return nil
		}
	}
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one process creates the schema
	if err != nil {
		return s.wrap("creating the schema", err)
	}
	defer tx.Rollback()
	if fresh, err = s.check(ctx, tx); err != nil {
		return err
	}
	create := ownersSchema
	if fresh {
		create = schema + ownersSchema + fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d;", applicationID, schemaVersion)
	}
	if _, err := tx.ExecContext(ctx, create); err != nil {
		return s.wrap("creating the schema", err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap("creating the schema", err)
	}
	return nil
}

// checkIntegrity runs SQLite's quick check, which reads every page of the file: a store
// damaged anywhere (a bad disk block, bytes overwritten by another program) is refused
// before anything is written to it.
func (s *Store) checkIntegrity(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check(3)")
	if err != nil {
		return s.wrap("checking its integrity", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.wrap("checking its integrity", err)
		}
		if line != "ok" {
			problems = append(problems, qcschema.Excerpt(line, 200))
		}
	}
	if err := rows.Err(); err != nil {
		return s.wrap("checking its integrity", err)
	}
	if len(problems) > 0 {
		s.damaged.Store(true)
		return fmt.Errorf("store %s: %w: %s", s.path, store.ErrCorrupt, strings.Join(problems, "; "))
	}
	return nil
}

// walMode turns on WAL mode. The change takes a lock that SQLite does not wait for (the
// busy timeout does not apply), so while another process creates the same new store it is
// tried again, for up to the busy timeout.
func (s *Store) walMode(ctx context.Context) (string, error) {
	deadline := time.Now().Add(busyTimeout)
	for {
		var mode string
		err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return mode, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// check reports whether the database is empty (to be created), and an error unless it is
// empty or a qcmb store of a schema this code knows.
func (s *Store) check(ctx context.Context, q querier) (fresh bool, err error) {
	// One statement, so one snapshot: read apart, another process's creation of the
	// schema could show between the reads as tables without an application id.
	var appID, version, objects int64
	const header = `SELECT (SELECT application_id FROM pragma_application_id()),
		(SELECT user_version FROM pragma_user_version()), (SELECT count(*) FROM sqlite_schema)`
	if err := q.QueryRowContext(ctx, header).Scan(&appID, &version, &objects); err != nil {
		if code(err) == sqlite3.SQLITE_NOTADB {
			return false, fmt.Errorf("store %s: %w (not an SQLite database)", s.path, store.ErrNotStore)
		}
		return false, s.wrap("reading the header", err)
	}
	switch {
	case appID == 0 && version == 0 && objects == 0:
		return true, nil
	case appID != applicationID:
		return false, fmt.Errorf("store %s: %w (SQLite database with %d tables and application id %#x)", s.path, store.ErrNotStore, objects, appID)
	case version > schemaVersion:
		return false, fmt.Errorf("store %s: %w (schema version %d; this qcmb reads up to %d)", s.path, store.ErrNewerSchema, version, schemaVersion)
	case version < 1:
		return false, fmt.Errorf("store %s: %w (schema version %d)", s.path, store.ErrCorrupt, version)
	}
	var tables int64
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('results', 'runs')").Scan(&tables); err != nil {
		return false, s.wrap("reading the schema", err)
	}
	if tables != 2 {
		return false, fmt.Errorf("store %s: %w (tables missing)", s.path, store.ErrCorrupt)
	}
	return false, nil
}

// wrap names the file and the operation in err, and classifies SQLite's errors. Damage
// found in the store stops all writing to it.
func (s *Store) wrap(op string, err error) error {
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			// The header said SQLite (check), so a file SQLite cannot read is damaged.
			s.damaged.Store(true)
			return fmt.Errorf("store %s: %s: %w: %v", s.path, op, store.ErrCorrupt, err)
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("store %s: %s: %w: %v", s.path, op, store.ErrFull, err)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("store %s: %s: %w: %v", s.path, op, store.ErrReadOnly, err)
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			// SQLite says "disk I/O error" for a disk that is full when a file other than
			// the database (the shared-memory index, the log) cannot grow.
			if diskFull(filepath.Dir(s.path)) {
				return fmt.Errorf("store %s: %s: %w: %v", s.path, op, store.ErrFull, err)
			}
		}
	}
	return fmt.Errorf("store %s: %s: %w", s.path, op, err)
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool { return code(err) == sqlite3.SQLITE_BUSY }

// code is the primary result code of SQLite's error err, 0 for another error.
func code(err error) int {
	var se *msqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

// writeAllowed is nil if the store takes writes, else why not.
func (s *Store) writeAllowed() error {
	switch {
	case s.unwritable != nil:
		return s.unwritable
	case s.damaged.Load():
		return fmt.Errorf("store %s: %w: damage was found in it, and nothing more is written to it", s.path, store.ErrCorrupt)
	}
	return nil
}

// Unwritable implements store.Unwritable: nil if the store takes new entries, else why
// not (it was opened with OpenReadOnly, or with Open on read-only media, a file or
// directory without write permission, or a full disk).
func (s *Store) Unwritable() error { return s.unwritable }

// Path returns the file name of the store.
func (s *Store) Path() string { return s.path }

// Close closes the database. Every Put has been committed already.
func (s *Store) Close() error {
	s.get.Close()
	if s.put != nil {
		s.put.Close()
	}
	return s.db.Close()
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key store.Key) (store.Entry, error) {
	e := store.Entry{Key: key}
	var ok int
	var startNS, endNS int64
	err := s.get.QueryRowContext(ctx, key[:]).Scan(&e.Program, &e.Version, &e.TaskID, &ok, &e.Result,
		&e.ErrorType, &e.Error, &e.Attempts, &startNS, &endNS)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Entry{}, fmt.Errorf("key %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return store.Entry{}, s.wrap("reading a result", err)
	}
	e.OK = ok != 0
	e.Start, e.End = fromNS(startNS), fromNS(endNS)
	return e, nil
}

// getManyChunk is how many keys one query of GetMany asks for (SQLite allows 32766
// parameters).
const getManyChunk = 500

// GetMany implements store.BatchGetter.
func (s *Store) GetMany(ctx context.Context, keys []store.Key) (map[store.Key]store.Entry, error) {
	out := make(map[store.Key]store.Entry, len(keys))
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), getManyChunk)]
		keys = keys[len(chunk):]
		args := make([]any, len(chunk))
		for i := range chunk {
			args[i] = chunk[i][:]
		}
		q := `SELECT key, program, version, task_id, ok, result, error_type, error, attempts, start_ns, end_ns FROM results WHERE key IN (?` +
			strings.Repeat(", ?", len(chunk)-1) + `)`
		if err := s.scanEntries(ctx, out, q, args); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) scanEntries(ctx context.Context, out map[store.Key]store.Entry, q string, args []any) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return s.wrap("reading results", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e store.Entry
		var key []byte
		var ok int
		var startNS, endNS int64
		if err := rows.Scan(&key, &e.Program, &e.Version, &e.TaskID, &ok, &e.Result,
			&e.ErrorType, &e.Error, &e.Attempts, &startNS, &endNS); err != nil {
			return s.wrap("reading results", err)
		}
		if len(key) != len(e.Key) {
			return fmt.Errorf("store %s: %w (a key of %d bytes)", s.path, store.ErrCorrupt, len(key))
		}
		copy(e.Key[:], key)
		e.OK = ok != 0
		e.Start, e.End = fromNS(startNS), fromNS(endNS)
		out[e.Key] = e
	}
	if err := rows.Err(); err != nil {
		return s.wrap("reading results", err)
	}
	return nil
}

// Put implements store.Store. The entry is committed when Put returns.
func (s *Store) Put(ctx context.Context, e store.Entry) error {
	if err := s.writeAllowed(); err != nil {
		return err
	}
	ok := 0
	if e.OK {
		ok = 1
	}
	_, err := s.put.ExecContext(ctx, e.Key[:], e.Program, e.Version, e.TaskID, ok, e.Result,
		e.ErrorType, e.Error, e.Attempts, toNS(e.Start), toNS(e.End), time.Now().UnixNano())
	if err != nil {
		return s.wrap("saving the result of task "+e.TaskID, err)
	}
	return nil
}

func toNS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNS(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// Files lists the files of the store at path: the database itself first, then those
// SQLite keeps beside it (the write-ahead log, its shared-memory index and the rollback
// journal), which are as much a part of it. Nothing else may be written to them.
func Files(path string) []string {
	return []string{path, path + "-wal", path + "-shm", path + "-journal"}
}
