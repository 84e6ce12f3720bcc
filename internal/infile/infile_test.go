package infile_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
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

// zeros reads as an endless stream of zero bytes, like /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestReadAllBoundsMemory: an endless stream is refused at the limit having allocated
// little more than the limit (it used to grow a buffer by doubling to several times it),
// and a file far larger than the limit is refused without reading it.
func TestReadAllBoundsMemory(t *testing.T) {
	const limit = 64 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := infile.ReadAll(context.Background(), zeros{}, limit, 0)
	runtime.ReadMemStats(&after)
	var tl *infile.TooLargeError
	require.ErrorAs(t, err, &tl)
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(limit+limit/8), "allocated %d MiB to refuse a stream at %d MiB", allocated>>20, limit>>20)

	// A sparse file of 1 GiB, refused at a 1 MiB limit before any read.
	path := filepath.Join(t.TempDir(), "huge.json")
	fh, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, fh.Truncate(1<<30))
	require.NoError(t, fh.Close())
	runtime.ReadMemStats(&before)
	_, err = infile.ReadFile(context.Background(), path, 1<<20)
	runtime.ReadMemStats(&after)
	require.EqualError(t, err, path+": larger than the limit of 1MiB")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "nothing is read")

	// A stream within the limit is read whole across chunks.
	data, err := infile.ReadAll(context.Background(), io.LimitReader(zeros{}, 5<<20+3), 6<<20, 0)
	require.NoError(t, err)
	assert.Len(t, data, 5<<20+3)
}
