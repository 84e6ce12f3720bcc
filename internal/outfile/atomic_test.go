package outfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/internal/tmpfstest"
)

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestWriteFailureKeepsOldFile: a write that fails halfway leaves the old file as it was
// and no temporary file; a write that succeeds replaces it whole, keeping its mode.
func TestWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "result.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"old": true}`+"\n"), 0o600))
	boom := errors.New("encoder failed")
	err := outfile.Write(path, func(w io.Writer) error {
		_, _ = io.WriteString(w, strings.Repeat("x", 3<<20)) // more than one buffer's worth
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), path)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, `{"old": true}`+"\n", string(data))
	assert.Equal(t, []string{"result.json"}, entries(t, dir), "no temporary file is left")

	require.NoError(t, outfile.WriteFile(path, map[string]int{"new": 1}))
	data, err = os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"new\": 1\n}\n", string(data))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the replaced file keeps its mode")
	assert.Equal(t, []string{"result.json"}, entries(t, dir))
}

// TestWriteFollowsLinks: a symbolic link's target is replaced, not the link; a device is
// written in place.
func TestWriteFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.json")
	link := filepath.Join(dir, "link.json")
	require.NoError(t, os.WriteFile(target, []byte("old\n"), 0o644))
	require.NoError(t, os.Symlink("target.json", link))
	require.NoError(t, outfile.WriteFile(link, 7))
	data, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "7\n", string(data))
	info, err := os.Lstat(link)
	require.NoError(t, err)
	assert.NotZero(t, info.Mode()&os.ModeSymlink, "the link stays a link")

	dangling := filepath.Join(dir, "dangling.json")
	require.NoError(t, os.Symlink("new.json", dangling))
	require.NoError(t, outfile.WriteFile(dangling, 8))
	data, err = os.ReadFile(filepath.Join(dir, "new.json"))
	require.NoError(t, err)
	assert.Equal(t, "8\n", string(data))

	require.NoError(t, outfile.WriteFile(os.DevNull, 9), "a device is written in place")
}

// TestWriteReadOnlyFile: a file made read-only is not replaced (for root, whom
// permissions do not stop, see TestWriteFullDisk's read-only mount).
func TestWriteReadOnlyFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root may write any file")
	}
	path := filepath.Join(t.TempDir(), "keep.json")
	require.NoError(t, os.WriteFile(path, []byte("kept\n"), 0o444))
	require.ErrorIs(t, outfile.WriteFile(path, 1), os.ErrPermission)
	require.ErrorIs(t, outfile.Check("-o", path), os.ErrPermission)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "kept\n", string(data))
}

// TestWriteFullDisk: on a full file system a write fails, the old file keeps every byte
// and no partial or temporary file is left; on a read-only one as well.
func TestWriteFullDisk(t *testing.T) {
	dir := tmpfstest.Mount(t, 64<<10)
	path := filepath.Join(dir, "result.json")
	old := `{"energy": -152.1}` + "\n"
	require.NoError(t, os.WriteFile(path, []byte(old), 0o644))
	big := strings.Repeat("0123456789", 20<<10) // 200 KB: more than the disk holds
	err := outfile.WriteFile(path, big)
	require.ErrorIs(t, err, syscall.ENOSPC)
	data, rerr := os.ReadFile(path)
	require.NoError(t, rerr)
	assert.Equal(t, old, string(data))
	assert.Equal(t, []string{"result.json"}, entries(t, dir))

	fresh := filepath.Join(dir, "new.json")
	require.ErrorIs(t, outfile.WriteFile(fresh, big), syscall.ENOSPC)
	assert.Equal(t, []string{"result.json"}, entries(t, dir), "no partial new file")

	tmpfstest.ReadOnly(t, dir)
	require.ErrorIs(t, outfile.WriteFile(path, 1), syscall.EROFS)
	require.ErrorIs(t, outfile.Check("-o", fresh), syscall.EROFS)
	data, rerr = os.ReadFile(path)
	require.NoError(t, rerr)
	assert.Equal(t, old, string(data))
}
