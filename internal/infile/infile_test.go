package infile_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/infile"
)

func TestSize(t *testing.T) {
	cases := []struct {
		in   string
		want infile.Size
		text string
	}{
		{"1GiB", 1 << 30, "1GiB"},
		{"256 MiB", 256 << 20, "256MiB"},
		{"64KiB", 64 << 10, "64KiB"},
		{"1GB", 1e9, "1000000000B"},
		{"1000", 1000, "1000B"},
		{"3072KiB", 3 << 20, "3MiB"},
	}
	for _, c := range cases {
		var s infile.Size
		require.NoError(t, s.Set(c.in), c.in)
		assert.Equal(t, c.want, s, c.in)
		assert.Equal(t, c.text, s.String(), c.in)
	}
	for _, bad := range []string{"", "0", "-1MiB", "1.5GiB", "lots", "9999999TB"} {
		var s infile.Size
		assert.Error(t, s.Set(bad), bad)
	}
}

func TestReadAll(t *testing.T) {
	ctx := context.Background()
	data, err := infile.ReadAll(ctx, strings.NewReader("0123456789"), 10, 4)
	require.NoError(t, err)
	assert.Equal(t, "0123456789", string(data))

	_, err = infile.ReadAll(ctx, strings.NewReader("0123456789"), 9, 0)
	var tl *infile.TooLargeError
	require.True(t, errors.As(err, &tl), "%v", err)
	assert.Equal(t, "larger than the limit of 9B", err.Error())

	// A read that blocks does not keep a cancelled caller waiting.
	r, w := io.Pipe()
	defer w.Close()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = infile.ReadAll(cancelled, r, 10, 0)
	require.ErrorIs(t, err, context.Canceled)
}

func TestReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"a": 1}`), 0o644))
	data, err := infile.ReadFile(context.Background(), path, 1<<20)
	require.NoError(t, err)
	assert.Equal(t, `{"a": 1}`, string(data))
	_, err = infile.ReadFile(context.Background(), path, 4)
	require.EqualError(t, err, path+": larger than the limit of 4B")
	_, err = infile.ReadFile(context.Background(), path+".missing", 4)
	require.ErrorIs(t, err, os.ErrNotExist)
}
