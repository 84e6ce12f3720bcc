package sqlite_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/executor/store/sqlite"
	"github.com/qcmb-go/qcmb/internal/tmpfstest"
	"github.com/qcmb-go/qcmb/qcschema"
)

// dirHashes returns the SHA-256 of every file in the directory of path, by name.
func dirHashes(t *testing.T, path string) map[string][32]byte {
	t.Helper()
	dir := filepath.Dir(path)
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	out := map[string][32]byte{}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = sha256.Sum256(data)
	}
	return out
}

// TestDamagedStoreIsNeverWritten: a store with 4 KB of random bytes written somewhere in
// its middle is refused by Open as damaged before anything is written: no byte of it
// changes, no run is recorded and no file appears beside it (a run used to add a runs
// row and change 177 bytes of a store it had just called damaged).
func TestDamagedStoreIsNeverWritten(t *testing.T) {
	for seed := range uint64(40) {
		path := filepath.Join(t.TempDir(), "results.db")
		s, err := sqlite.Open(context.Background(), path)
		require.NoError(t, err)
		big := `{"id":"x","success":true,"stdout":"` + strings.Repeat("psi4 output ", 500) + `"}`
		for i := range 30 {
			e := entry("e", i)
			if i%3 == 0 {
				e.Result = []byte(big) // results over a page long too
			}
			require.NoError(t, s.Put(context.Background(), e))
		}
		require.NoError(t, s.RecordRun(context.Background(), &store.Run{InputHash: "in", Start: time.Now(), Status: store.RunSucceeded}))
		require.NoError(t, s.Close())

		info, err := os.Stat(path)
		require.NoError(t, err)
		r := rand.New(rand.NewPCG(seed, 20))
		damage := make([]byte, 4096)
		for i := range damage {
			damage[i] = byte(r.Uint32())
		}
		off := info.Size()/4 + r.Int64N(info.Size()/2)
		fh, err := os.OpenFile(path, os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = fh.WriteAt(damage, off)
		require.NoError(t, err)
		require.NoError(t, fh.Close())
		before := dirHashes(t, path)

		_, err = sqlite.Open(context.Background(), path)
		require.ErrorIs(t, err, store.ErrCorrupt, "seed %d: 4 KB of random bytes at %d of %d", seed, off, info.Size())
		assert.True(t, strings.HasPrefix(err.Error(), "store "+path+": store file is corrupt"), "the first words name the problem: %v", err)
		require.Equal(t, before, dirHashes(t, path), "seed %d: the damaged store was written", seed)
	}
}

// TestKilledRunIsInterrupted: a run recorded by a process killed with SIGKILL is marked
// interrupted when the store is next opened (and listed so by a read-only store that
// cannot mark it); a live process's run stays running; a record whose pid now names
// another process (another start time) is interrupted too.
func TestKilledRunIsInterrupted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "QCMB_STORE_RUNNER="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line := make([]byte, 9)
	_, err = out.Read(line)
	require.NoError(t, err)
	require.Equal(t, "recorded\n", string(line), "the child recorded its run")

	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	mine := &store.Run{InputHash: "mine", Start: time.Now(), Status: store.RunRunning}
	require.NoError(t, s.RecordRun(context.Background(), mine))
	runs, err := s.Runs(context.Background(), "")
	require.NoError(t, err)
	require.Len(t, runs, 2)
	assert.Equal(t, store.RunRunning, runs[0].Status, "the child still runs")
	require.NoError(t, s.Close())

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	// A record of this process but of another start time: the pid was reused.
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO runs (input_hash, start_ns, end_ns, status, tasks, reused, computed, failed) VALUES ('reused', 1, 0, 'running', 0, 0, 0, 0)`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO run_owners (run_id, host, boot, pid, start) SELECT id, o.host, o.boot, o.pid, '1' FROM runs, run_owners o WHERE input_hash = 'reused' AND o.run_id = ?`, mine.ID)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	ro, err := sqlite.OpenReadOnly(context.Background(), path)
	require.NoError(t, err)
	runs, err = ro.Runs(context.Background(), "")
	require.NoError(t, err)
	require.NoError(t, ro.Close())
	statuses := func(runs []store.Run) []string {
		var out []string
		for _, r := range runs {
			out = append(out, r.InputHash+" "+r.Status)
		}
		return out
	}
	want := []string{"child " + store.RunInterrupted, "mine " + store.RunRunning, "reused " + store.RunInterrupted}
	assert.Equal(t, want, statuses(runs), "listed by a read-only store")

	s, err = sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err = sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var marked int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM runs WHERE status = 'interrupted'`).Scan(&marked))
	assert.Equal(t, 2, marked, "recorded as interrupted when the store was opened")
}

// recordAndWait records a running run in the store at path, says so on standard output
// and waits to be killed (QCMB_STORE_RUNNER).
func recordAndWait(path string) error {
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		return err
	}
	if err := s.RecordRun(context.Background(), &store.Run{InputHash: "child", Start: time.Now(), Status: store.RunRunning}); err != nil {
		return err
	}
	os.Stdout.WriteString("recorded\n")
	time.Sleep(time.Hour)
	return nil
}

// TestReadOnlyStore: a store on read-only media (a tmpfs remounted read-only: root
// cannot write it either) opens read-only with Open and with OpenReadOnly: every result
// is read, nothing is written (Put fails with ErrReadOnly, runs are not recorded), and a
// run whose tasks are all stored is answered through store.Wrap, where one that would
// compute a task fails before computing it.
func TestReadOnlyStore(t *testing.T) {
	dir := tmpfstest.Mount(t, 4<<20)
	path := filepath.Join(dir, "results.db")
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	var tasks []executor.Task
	for i := range 3 {
		task := executor.Task{ID: "t" + string(rune('a'+i)), Program: "embedded", Payload: []byte(`{"id":"t` + string(rune('a'+i)) + `","n":` + string(rune('0'+i)) + `}`)}
		tasks = append(tasks, task)
	}
	ex := store.Wrap(executor.ExecutorFunc(func(ctx context.Context, ts []executor.Task, handle func(executor.Outcome)) error {
		for i, task := range ts {
			handle(executor.Outcome{Index: i, ID: task.ID, Result: &qcschema.AtomicResult{ID: task.ID, Success: true}})
		}
		return nil
	}), s, store.WithVersion(func(context.Context, string) (string, error) { return "1", nil }))
	require.NoError(t, ex.Execute(context.Background(), tasks[:2], func(executor.Outcome) {}))
	require.NoError(t, s.Close())
	tmpfstest.ReadOnly(t, dir)
	before := dirHashes(t, path)

	for name, open := range map[string]func(context.Context, string) (*sqlite.Store, error){"Open": sqlite.Open, "OpenReadOnly": sqlite.OpenReadOnly} {
		t.Run(name, func(t *testing.T) {
			s, err := open(context.Background(), path)
			require.NoError(t, err)
			defer s.Close()
			require.ErrorIs(t, s.Unwritable(), store.ErrReadOnly)
			require.ErrorIs(t, s.Put(context.Background(), entry("x", 1)), store.ErrReadOnly)
			run := &store.Run{InputHash: "ro", Start: time.Now(), Status: store.RunRunning}
			require.NoError(t, s.RecordRun(context.Background(), run), "a read-only store records no run, and says nothing")
			runs, err := s.Runs(context.Background(), "")
			require.NoError(t, err)
			assert.Empty(t, runs)

			computed := 0
			ex := store.Wrap(executor.ExecutorFunc(func(ctx context.Context, ts []executor.Task, handle func(executor.Outcome)) error {
				computed += len(ts)
				return nil
			}), s, store.WithVersion(func(context.Context, string) (string, error) { return "1", nil }))
			reused := 0
			require.NoError(t, ex.Execute(context.Background(), tasks[:2], func(o executor.Outcome) {
				if o.Reused && o.Err == nil {
					reused++
				}
			}))
			assert.Equal(t, 2, reused, "every task answered from the read-only store")
			err = ex.Execute(context.Background(), tasks, func(executor.Outcome) {})
			require.ErrorIs(t, err, store.ErrReadOnly)
			assert.Contains(t, err.Error(), "1 of 3 tasks have no stored result")
			assert.Zero(t, computed, "nothing is computed that could not be kept")
			err = executor.Stream(context.Background(), ex, closed(tasks), func(executor.Outcome) {})
			require.ErrorIs(t, err, store.ErrReadOnly, "streamed alike")
			assert.Zero(t, computed)
		})
	}
	assert.Equal(t, before, dirHashes(t, path), "nothing written")

	_, err = sqlite.Open(context.Background(), filepath.Join(dir, "new.db"))
	require.ErrorIs(t, err, syscall.EROFS, "no store can be created on read-only media")
}

// closed returns a closed queue of tasks.
func closed(tasks []executor.Task) *executor.Queue {
	q := executor.NewQueue()
	_ = q.Add(tasks...)
	q.Close()
	return q
}
