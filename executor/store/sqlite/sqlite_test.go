package sqlite_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/executor/store/sqlite"
	"github.com/qcmb-go/qcmb/executor/store/storetest"
)

// TestMain lets the test binary write to a store as a second process: with
// QCMB_STORE_WRITER=path,prefix,n it puts n entries and exits; with
// QCMB_STORE_RUNNER=path it records a running run and waits to be killed.
func TestMain(m *testing.M) {
	if spec := os.Getenv("QCMB_STORE_WRITER"); spec != "" {
		if err := writeEntries(spec); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if path := os.Getenv("QCMB_STORE_RUNNER"); path != "" {
		if err := recordAndWait(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func writeEntries(spec string) error {
	var path, prefix string
	var n int
	parts := bytes.Split([]byte(spec), []byte(","))
	if len(parts) != 3 {
		return fmt.Errorf("bad QCMB_STORE_WRITER %q", spec)
	}
	path, prefix = string(parts[0]), string(parts[1])
	n, err := strconv.Atoi(string(parts[2]))
	if err != nil {
		return err
	}
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		return err
	}
	defer s.Close()
	for i := range n {
		if err := s.Put(context.Background(), entry(prefix, i)); err != nil {
			return err
		}
	}
	return nil
}

// entry is a success whose key and result are derived from prefix and i.
func entry(prefix string, i int) store.Entry {
	id := fmt.Sprintf("%s-%d", prefix, i)
	return store.Entry{Key: sha256.Sum256([]byte(id)), Program: "embedded", Version: "0.1.0", TaskID: id, OK: true,
		Result: fmt.Appendf(nil, `{"id":%q,"success":true,"return_result":%d}`, id, i), Attempts: 1}
}

// newStoreFile creates a store with n entries and closes it.
func newStoreFile(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "results.db")
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, s.Put(context.Background(), entry("e", i)))
	}
	require.NoError(t, s.Close())
	return path
}

// rawExec runs SQL on a file with plain database/sql, as another application would.
func rawExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	for _, s := range stmts {
		_, err := db.Exec(s)
		require.NoError(t, err, s)
	}
}

func TestOpenRejectsFilesItMustNotTouch(t *testing.T) {
	cases := []struct {
		name string
		make func(t *testing.T) string
		want error
	}{
		{"text file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "notes.txt")
			require.NoError(t, os.WriteFile(p, []byte("these are my notes, not a database\n"), 0o644))
			return p
		}, store.ErrNotStore},
		{"long text file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "notes.txt")
			require.NoError(t, os.WriteFile(p, bytes.Repeat([]byte("notes, not a database\n"), 100), 0o644))
			return p
		}, store.ErrNotStore},
		{"short file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "short.db")
			require.NoError(t, os.WriteFile(p, []byte("SQLite format 3\x00"), 0o644))
			return p
		}, store.ErrNotStore},
		{"directory", func(t *testing.T) string { return t.TempDir() }, store.ErrNotStore},
		{"SQLite database of another program", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "other.db")
			rawExec(t, p, "CREATE TABLE customers (name TEXT)", "INSERT INTO customers VALUES ('ada')")
			return p
		}, store.ErrNotStore},
		{"SQLite database with another application id", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "other.db")
			rawExec(t, p, "PRAGMA application_id = 1234", "CREATE TABLE results (x)")
			return p
		}, store.ErrNotStore},
		{"store of a newer schema", func(t *testing.T) string {
			p := newStoreFile(t, 3)
			rawExec(t, p, "PRAGMA user_version = 2")
			return p
		}, store.ErrNewerSchema},
		{"store whose schema page is overwritten", func(t *testing.T) string {
			p := newStoreFile(t, 3)
			overwrite(t, p, 100, 4096-100) // page 1 after the file header
			return p
		}, store.ErrCorrupt},
		{"store whose tables are gone", func(t *testing.T) string {
			p := newStoreFile(t, 3)
			rawExec(t, p, "DROP TABLE runs")
			return p
		}, store.ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.make(t)
			before := snapshot(t, path)
			beside, _ := os.ReadDir(filepath.Dir(path))
			s, err := sqlite.Open(context.Background(), path)
			if err == nil {
				s.Close()
			}
			require.ErrorIs(t, err, c.want)
			require.Contains(t, err.Error(), path, "the error names the file")
			require.Equal(t, before, snapshot(t, path), "the file is left as it was")
			after, _ := os.ReadDir(filepath.Dir(path))
			require.Equal(t, len(beside), len(after), "no file is made beside it")
		})
	}
}

// A store damaged where the open does not look is reported as corrupt when read, and
// left as it was.
func TestCorruptResultsAreReported(t *testing.T) {
	path := newStoreFile(t, 400)
	info, err := os.Stat(path)
	require.NoError(t, err)
	overwrite(t, path, 3*4096, int(info.Size())-4*4096)
	before := snapshot(t, path)

	s, err := sqlite.Open(context.Background(), path)
	if err == nil {
		var firstErr error
		for i := range 400 {
			if _, err := s.Get(context.Background(), entry("e", i).Key); err != nil {
				firstErr = err
				break
			}
		}
		err = firstErr
		s.Close()
	}
	require.ErrorIs(t, err, store.ErrCorrupt)
	require.Equal(t, before, snapshot(t, path))
}

func overwrite(t *testing.T, path string, off, n int) {
	t.Helper()
	fh, err := os.OpenFile(path, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = fh.WriteAt(bytes.Repeat([]byte{0xA5}, n), int64(off))
	require.NoError(t, err)
	require.NoError(t, fh.Close())
}

func snapshot(t *testing.T, path string) []byte {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	if info.IsDir() {
		return []byte("directory")
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

func TestReopenKeepsEverything(t *testing.T) {
	path := newStoreFile(t, 10)
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	defer s.Close()
	for i := range 10 {
		got, err := s.Get(context.Background(), entry("e", i).Key)
		require.NoError(t, err)
		require.Equal(t, entry("e", i).Result, got.Result)
	}
	// An empty file (touched by a user or another tool) becomes a new store.
	empty := filepath.Join(t.TempDir(), "empty.db")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	s2, err := sqlite.Open(context.Background(), empty)
	require.NoError(t, err)
	require.NoError(t, s2.Put(context.Background(), entry("x", 0)))
	require.NoError(t, s2.Close())
}

// Connections in this process and two more processes write to one store at once, which
// none of them has created yet, on a machine made busy by goroutines that spin on every
// processor; every entry arrives. Opens racing on a loaded machine failed with SQLite's
// IOERR_RDLOCK; and whole processes' entries were lost while an open read the file's
// header through a descriptor of its own, whose close released the POSIX locks of this
// process's connections (another process then took itself for the last user and deleted
// the write-ahead log under their writes).
func TestConcurrentWriters(t *testing.T) {
	stop := make(chan struct{})
	var spinners sync.WaitGroup
	for range runtime.NumCPU() {
		spinners.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := 0; i < 1e5; i++ {
				}
			}
		})
	}
	defer spinners.Wait()
	defer close(stop)
	for round := range 3 {
		concurrentWriters(t, round)
	}
}

// concurrentWriters is one round of TestConcurrentWriters.
func concurrentWriters(t *testing.T, round int) {
	const n = 150
	path := filepath.Join(t.TempDir(), "shared.db")
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for _, prefix := range []string{"proc-a", "proc-b"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("QCMB_STORE_WRITER=%s,%s,%d", path, prefix, n))
		wg.Go(func() {
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("%s: %v: %s", prefix, err, out)
			}
		})
	}
	for _, prefix := range []string{"conn-a", "conn-b"} {
		wg.Go(func() {
			if err := writeEntries(fmt.Sprintf("%s,%s,%d", path, prefix, n)); err != nil {
				errs <- fmt.Errorf("%s: %w", prefix, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err, "round %d", round)
	}
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	defer s.Close()
	for _, prefix := range []string{"proc-a", "proc-b", "conn-a", "conn-b"} {
		for i := range n {
			got, err := s.Get(context.Background(), entry(prefix, i).Key)
			require.NoError(t, err, "round %d: %s %d", round, prefix, i)
			require.Equal(t, entry(prefix, i).Result, got.Result)
		}
	}
}

// GetMany reads in chunks what Get reads one at a time.
func TestGetMany(t *testing.T) {
	const n = 1200 // more than one chunk
	path := newStoreFile(t, n)
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	defer s.Close()
	var keys []store.Key
	for i := range n + 5 { // the last five are not stored
		keys = append(keys, entry("e", i).Key)
	}
	got, err := s.GetMany(context.Background(), keys)
	require.NoError(t, err)
	require.Len(t, got, n)
	for i := range n {
		one, err := s.Get(context.Background(), keys[i])
		require.NoError(t, err)
		require.Equal(t, one, got[keys[i]])
		require.Equal(t, entry("e", i).Result, got[keys[i]].Result)
	}
	none, err := s.GetMany(context.Background(), nil)
	require.NoError(t, err)
	require.Empty(t, none)
}

// TestContract: the SQLite store keeps the store.Store contract, as Memory does.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "results.db"))
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	})
}
