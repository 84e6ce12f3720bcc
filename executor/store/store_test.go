package store_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/executor/store/storetest"
)

// TestMemory: Memory keeps the Store contract.
func TestMemory(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return store.NewMemory() })
}

func TestParseKey(t *testing.T) {
	k, _, err := store.TaskKey("embedded", "0.1.0", []byte(`{"molecule":{}}`))
	require.NoError(t, err)
	back, err := store.ParseKey(k.String())
	require.NoError(t, err)
	require.Equal(t, k, back)
	for _, bad := range []string{"", "zz", k.String()[:10]} {
		_, err := store.ParseKey(bad)
		require.Error(t, err, bad)
	}
	require.False(t, errors.Is(err, store.ErrNotFound))
}
