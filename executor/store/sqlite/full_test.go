package sqlite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor/store"
)

// A store that runs out of space (here: SQLite's page limit, as a full disk would) fails
// the Put with store.ErrFull and keeps every entry committed before, readable and intact.
func TestFullStoreKeepsWhatItHad(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "small.db")
	s, err := open(ctx, path, []string{"max_page_count(24)"}, false)
	require.NoError(t, err)
	result := bytes.Repeat([]byte("0123456789abcdef"), 200) // 3.2 kB
	put := func(i int) error {
		return s.Put(ctx, store.Entry{Key: sha256.Sum256(fmt.Append(nil, i)), TaskID: fmt.Sprint(i), OK: true, Result: result})
	}
	stored := 0
	for ; stored < 1000; stored++ {
		if err = put(stored); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, store.ErrFull)
	require.Contains(t, err.Error(), path)
	require.Greater(t, stored, 3)
	require.ErrorIs(t, put(stored+1), store.ErrFull, "still full")
	require.NoError(t, s.Close())

	s, err = Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	var check string
	require.NoError(t, s.db.QueryRow("PRAGMA integrity_check").Scan(&check))
	require.Equal(t, "ok", check)
	for i := range stored {
		e, err := s.Get(ctx, sha256.Sum256(fmt.Append(nil, i)))
		require.NoError(t, err)
		require.Equal(t, result, e.Result)
	}
	_, err = s.Get(ctx, sha256.Sum256(fmt.Append(nil, stored)))
	require.ErrorIs(t, err, store.ErrNotFound, "the write that failed left nothing behind")
	require.NoError(t, put(stored), "with room again the store takes more")
}
