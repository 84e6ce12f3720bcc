package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/qcmb-go/qcmb/executor/store"
)

// Interfaces Store implements.
var (
	_ store.Store       = (*Store)(nil)
	_ store.BatchGetter = (*Store)(nil)
	_ store.RunLister   = (*Store)(nil)
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

// Store is a store.Store in one SQLite file. Several processes may use the same file at once:
// it is in WAL mode, and a writer waits up to 30 s for another one.
//
// Each Put is one transaction, committed when Put returns: it survives a crash or kill of
// the process. The store does not wait for the disk on every commit (synchronous=NORMAL,
// SQLite's recommended setting for WAL mode, which keeps storing cheap next to short
// tasks), so after a power failure or operating system crash the last results may be
// missing, to be computed again; the store is never damaged by one.
type Store struct {
	path string
	db   *sql.DB
	get  *sql.Stmt
	put  *sql.Stmt
}

// Open opens the store in the file at path, creating the file (not its directory) if it
// does not exist. A file that is not a qcmb store gives an error wrapping
// store.ErrNotStore, a damaged one store.ErrCorrupt, one from a newer schema
// store.ErrNewerSchema; such files are left untouched.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, nil)
}

// open is Open with extra per-connection pragmas (tests limit the size). While other
// processes create the same new store, SQLite may fail a lock or the removal of a journal
// another one removed first with an I/O error (SQLITE_IOERR_RDLOCK,
// SQLITE_IOERR_DELETE_NOENT) rather than wait: such an open is tried again, for up to the
// busy timeout.
func open(ctx context.Context, path string, pragmas []string) (*Store, error) {
	deadline := time.Now().Add(busyTimeout)
	for {
		s, err := openOnce(ctx, path, pragmas)
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

// openOnce opens the store once.
func openOnce(ctx context.Context, path string, pragmas []string) (*Store, error) {
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	s := &Store{path: path}
	db, err := sql.Open("sqlite", dsn(path, pragmas))
	if err != nil {
		return nil, s.wrap("opening", err)
	}
	// One connection: writes are serialized anyway, and per-connection settings hold.
	db.SetMaxOpenConns(1)
	s.db = db
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if s.get, err = db.PrepareContext(ctx, `SELECT program, version, task_id, ok, result, error_type, error, attempts, start_ns, end_ns FROM results WHERE key = ?`); err == nil {
		s.put, err = db.PrepareContext(ctx, `INSERT INTO results (key, program, version, task_id, ok, result, error_type, error, attempts, start_ns, end_ns, stored_ns)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET program = excluded.program, version = excluded.version,
				task_id = excluded.task_id, ok = excluded.ok, result = excluded.result,
				error_type = excluded.error_type, error = excluded.error, attempts = excluded.attempts,
				start_ns = excluded.start_ns, end_ns = excluded.end_ns, stored_ns = excluded.stored_ns
			WHERE results.ok = 0`)
	}
	if err != nil {
		db.Close()
		return nil, s.wrap("preparing statements", err)
	}
	return s, nil
}

// dsn is the modernc.org/sqlite data source name of path: a file: URI, so that any path
// works, with the settings every connection needs.
func dsn(path string, pragmas []string) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	var b strings.Builder
	b.WriteString("file:" + escaped)
	fmt.Fprintf(&b, "?_pragma=busy_timeout(%d)&_pragma=synchronous(NORMAL)&_txlock=immediate", busyTimeout.Milliseconds())
	for _, p := range pragmas {
		b.WriteString("&_pragma=" + p)
	}
	return b.String()
}

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// checkHeader rejects, without opening it with SQLite, a file that is not an SQLite
// database or is one of another application. A missing or empty file is a new store.
func checkHeader(path string) error {
	fh, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("store %s: %w (not a regular file)", path, store.ErrNotStore)
	}
	if info.Size() == 0 {
		return nil
	}
	var h [100]byte
	if _, err := io.ReadFull(fh, h[:]); err != nil {
		return fmt.Errorf("store %s: %w (%d bytes, shorter than an SQLite header)", path, store.ErrNotStore, info.Size())
	}
	if !bytes.HasPrefix(h[:], []byte(sqliteMagic)) {
		return fmt.Errorf("store %s: %w (not an SQLite database)", path, store.ErrNotStore)
	}
	if id := binary.BigEndian.Uint32(h[68:]); id != 0 && id != applicationID {
		return fmt.Errorf("store %s: %w (SQLite database of another application, id %#x)", path, store.ErrNotStore, id)
	}
	return nil
}

// init checks that the file is a qcmb store of a known schema, creates the schema in a
// new file and turns on WAL mode.
func (s *Store) init(ctx context.Context) error {
	fresh, err := s.check(ctx, s.db)
	if err != nil {
		return err
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
	if !fresh {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one process creates the schema
	if err != nil {
		return s.wrap("creating the schema", err)
	}
	defer tx.Rollback()
	if fresh, err = s.check(ctx, tx); err != nil {
		return err
	}
	if fresh {
		if _, err := tx.ExecContext(ctx, schema+fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d;", applicationID, schemaVersion)); err != nil {
			return s.wrap("creating the schema", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.wrap("creating the schema", err)
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

// wrap names the file and the operation in err, and classifies SQLite's errors.
func (s *Store) wrap(op string, err error) error {
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			// The header said SQLite (checkHeader), so a file SQLite cannot read is damaged.
			return fmt.Errorf("store %s: %s: %w: %v", s.path, op, store.ErrCorrupt, err)
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("store %s: %s: %w: %v", s.path, op, store.ErrFull, err)
		}
	}
	return fmt.Errorf("store %s: %s: %w", s.path, op, err)
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se *msqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// Path returns the file name of the store.
func (s *Store) Path() string { return s.path }

// Close closes the database. Every Put has been committed already.
func (s *Store) Close() error {
	s.get.Close()
	s.put.Close()
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

// RecordRun implements store.Store.
func (s *Store) RecordRun(ctx context.Context, run *store.Run) error {
	if run.ID == 0 {
		res, err := s.db.ExecContext(ctx, `INSERT INTO runs (input_hash, start_ns, end_ns, status, tasks, reused, computed, failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			run.InputHash, toNS(run.Start), toNS(run.End), run.Status, run.Tasks, run.Reused, run.Computed, run.Failed)
		if err != nil {
			return s.wrap("recording a run", err)
		}
		if run.ID, err = res.LastInsertId(); err != nil {
			return s.wrap("recording a run", err)
		}
		return nil
	}
	res, err := s.db.ExecContext(ctx, `UPDATE runs SET input_hash = ?, start_ns = ?, end_ns = ?, status = ?, tasks = ?, reused = ?, computed = ?, failed = ? WHERE id = ?`,
		run.InputHash, toNS(run.Start), toNS(run.End), run.Status, run.Tasks, run.Reused, run.Computed, run.Failed, run.ID)
	if err != nil {
		return s.wrap("recording a run", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("store %s: no run %d", s.path, run.ID)
	}
	return nil
}

// Runs implements store.RunLister.
func (s *Store) Runs(ctx context.Context, inputHash string) ([]store.Run, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, input_hash, start_ns, end_ns, status, tasks, reused, computed, failed FROM runs
		WHERE ? = '' OR input_hash = ? ORDER BY id`, inputHash, inputHash)
	if err != nil {
		return nil, s.wrap("listing runs", err)
	}
	defer rows.Close()
	var out []store.Run
	for rows.Next() {
		var r store.Run
		var startNS, endNS int64
		if err := rows.Scan(&r.ID, &r.InputHash, &startNS, &endNS, &r.Status, &r.Tasks, &r.Reused, &r.Computed, &r.Failed); err != nil {
			return nil, s.wrap("listing runs", err)
		}
		r.Start, r.End = fromNS(startNS), fromNS(endNS)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("listing runs", err)
	}
	return out, nil
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
