//go:build unix

package infile_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/infile"
)

// TestOpenNeverBlocks: a named pipe no program writes to is opened without waiting (its
// open used to block, deaf to signals) and reads as no data; a device, a directory or a
// socket is refused by name; a pipe with a writer is read.
func TestOpenNeverBlocks(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "in.json")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	done := make(chan error, 1)
	go func() {
		_, err := infile.ReadFile(context.Background(), fifo, 1<<20)
		done <- err
	}()
	select {
	case err := <-done:
		require.EqualError(t, err, fifo+": a named pipe that gave no data (no program writes to it)")
	case <-time.After(10 * time.Second):
		require.FailNow(t, "reading a named pipe with no writer blocks")
	}

	var nr *infile.NotRegularError
	_, err := infile.ReadFile(context.Background(), "/dev/zero", 1<<20)
	require.ErrorAs(t, err, &nr)
	assert.Equal(t, "/dev/zero: a device, not a file (give a regular file, or - for standard input)", err.Error())
	_, err = infile.ReadFile(context.Background(), dir, 1<<20)
	require.ErrorAs(t, err, &nr)
	assert.Equal(t, "a directory", nr.What)

	// A named pipe with data written and its writer gone: read to the end. The test holds
	// a read end of its own so that the writer's open does not wait and the data stays in
	// the pipe until ReadFile opens it (a writer racing ReadFile's open could find it
	// closed again and lose its data to the closed pipe).
	keep, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	require.NoError(t, err)
	defer keep.Close()
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = w.WriteString(`{"a": 1}`)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	data, err := infile.ReadFile(context.Background(), fifo, 1<<20)
	require.NoError(t, err)
	assert.Equal(t, `{"a": 1}`, string(data))
}
