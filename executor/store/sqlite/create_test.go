package sqlite

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConcurrentCreate: processes that open the same new store at once (a run and a
// "qcmb store show" polling it) all get it: the schema is created once, and no opener sees
// it half made or fails on the change to WAL mode.
func TestConcurrentCreate(t *testing.T) {
	for i := 0; i < 60; i++ {
		path := filepath.Join(t.TempDir(), "results.db")
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for k := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := Open(context.Background(), path)
				if err == nil {
					err = s.Close()
				}
				errs[k] = err
			}()
		}
		wg.Wait()
		for k, err := range errs {
			require.NoError(t, err, "round %d, opener %d", i, k)
		}
	}
}
