package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/internal/procid"
)

// RecordRun implements store.Store. A new run is recorded with the process that makes it
// (host, boot, pid and start time), so that once that process is gone without saying how
// the run ended (kill -9, a crash) the run is reported interrupted rather than running for
// ever. A read-only store records nothing.
func (s *Store) RecordRun(ctx context.Context, run *store.Run) error {
	if s.unwritable != nil {
		return nil
	}
	if err := s.writeAllowed(); err != nil {
		return err
	}
	if run.ID == 0 {
		return s.insertRun(ctx, run)
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

// insertRun records a new run and its owner, this process, in one transaction.
func (s *Store) insertRun(ctx context.Context, run *store.Run) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("recording a run", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO runs (input_hash, start_ns, end_ns, status, tasks, reused, computed, failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		run.InputHash, toNS(run.Start), toNS(run.End), run.Status, run.Tasks, run.Reused, run.Computed, run.Failed)
	if err != nil {
		return s.wrap("recording a run", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return s.wrap("recording a run", err)
	}
	me := procid.Self()
	if _, err := tx.ExecContext(ctx, `INSERT INTO run_owners (run_id, host, boot, pid, start) VALUES (?, ?, ?, ?, ?)`,
		id, me.Host, me.Boot, me.PID, me.Start); err != nil {
		return s.wrap("recording a run", err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap("recording a run", err)
	}
	run.ID = id
	return nil
}

// orphans returns the ids of the runs recorded as running whose process is gone.
func (s *Store) orphans(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}) (map[int64]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.id, o.host, o.boot, o.pid, o.start FROM runs r JOIN run_owners o ON o.run_id = r.id WHERE r.status = ?`, store.RunRunning)
	if err != nil {
		return nil, s.wrap("reading the runs", err)
	}
	defer rows.Close()
	gone := map[int64]bool{}
	for rows.Next() {
		var id int64
		var p procid.Process
		if err := rows.Scan(&id, &p.Host, &p.Boot, &p.PID, &p.Start); err != nil {
			return nil, s.wrap("reading the runs", err)
		}
		if p.State() == procid.Gone {
			gone[id] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("reading the runs", err)
	}
	return gone, nil
}

// markInterrupted records the runs whose process is gone as interrupted: a process killed
// outright could not. Runs of other hosts (a store on a shared file system) are left as
// they are unless their host reports them.
func (s *Store) markInterrupted(ctx context.Context) error {
	gone, err := s.orphans(ctx, s.db)
	if err != nil || len(gone) == 0 {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap("marking interrupted runs", err)
	}
	defer tx.Rollback()
	for id := range gone {
		if _, err := tx.ExecContext(ctx, `UPDATE runs SET status = ? WHERE id = ? AND status = ?`, store.RunInterrupted, id, store.RunRunning); err != nil {
			return s.wrap("marking interrupted runs", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.wrap("marking interrupted runs", err)
	}
	return nil
}

// Runs implements store.RunLister. A run recorded as running whose process is gone is
// listed as interrupted, also by a read-only store that cannot record it so.
func (s *Store) Runs(ctx context.Context, inputHash string) ([]store.Run, error) {
	gone, err := s.orphans(ctx, s.db)
	if err != nil {
		return nil, err
	}
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
		if r.Status == store.RunRunning && gone[r.ID] {
			r.Status = store.RunInterrupted
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("listing runs", err)
	}
	return out, nil
}
