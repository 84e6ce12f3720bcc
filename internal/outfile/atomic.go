package outfile

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// tempPrefix starts the names of Write's temporary files (".NAME.qcmb-RANDOM.tmp" next
// to NAME): hidden, and telling whose they are should one survive a power cut.
const tempPrefix = ".qcmb-"

// Write writes what write produces to the file at path atomically: into a new temporary
// file in the same directory, which is synced to the disk and then renamed over path, and
// the directory synced. Whatever happens before the rename (a full disk, an error of
// write, a signal, a crash), path keeps what it held and no temporary file stays; after
// it, path holds the whole new content. A new file gets mode 0644 less the umask, an
// existing one keeps its mode. A symbolic link is followed: the file it names is replaced.
// A path that names something other than a regular file (a terminal, a pipe, /dev/null)
// is written in place, as there is nothing to replace.
func Write(path string, write func(w io.Writer) error) (err error) {
	target, err := resolve(path)
	if err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	info, statErr := os.Stat(target)
	switch {
	case statErr == nil && info.IsDir():
		return fmt.Errorf("%s: is a directory", path)
	case statErr == nil && (!info.Mode().IsRegular() || special(target)):
		return writeInPlace(target, write)
	case statErr == nil:
		// The file is replaced, not written: ask for the permission writing would need,
		// so that a file made read-only to keep it is not replaced either.
		fh, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		fh.Close()
		mode = info.Mode().Perm()
	case !errors.Is(statErr, fs.ErrNotExist):
		return statErr
	}
	tmp, err := createTemp(target, mode)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			_ = os.Remove(tmp.Name())
			err = fmt.Errorf("%s: %w (the file was left as it was)", path, err)
		}
	}()
	if statErr == nil {
		// Keep the mode exactly, whatever the umask made of it.
		if err := tmp.Chmod(mode); err != nil {
			return err
		}
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	// The rename is durable once the directory is: without this a power cut could bring
	// back the old file, or no file, after the command said it wrote the new one.
	return syncDir(filepath.Dir(target))
}

// writeInPlace writes to a file that is not a regular file.
func writeInPlace(path string, write func(w io.Writer) error) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(fh, 1<<20)
	if err := write(bw); err != nil {
		fh.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		fh.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return fh.Close()
}

// createTemp creates a new temporary file for target in target's directory, with mode
// perm less the umask.
func createTemp(target string, perm fs.FileMode) (*os.File, error) {
	dir, name := filepath.Split(target)
	for range 100 {
		var b [6]byte
		_, _ = rand.Read(b[:])
		tmp := filepath.Join(dir, "."+name+tempPrefix+hex.EncodeToString(b[:])+".tmp")
		fh, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return nil, &fs.PathError{Op: "create", Path: target, Err: pe.Err}
			}
			return nil, err
		}
		return fh, nil
	}
	return nil, fmt.Errorf("create %s: no free temporary name in its directory", target)
}

// IsTemp reports whether name (a base name) is one of Write's temporary files.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempPrefix) && strings.HasSuffix(name, ".tmp")
}

// resolve follows symbolic links in path's last element, so that the file a link names is
// the one replaced (and not the link by a file); a dangling link names the file to create.
// Links in the directories are left alone: the directory is the same whichever way it is
// named. Paths under /dev and /proc (/dev/stdout, /proc/self/fd/1) are not resolved:
// they are written in place.
func resolve(path string) (string, error) {
	if special(path) {
		return path, nil
	}
	for range 40 {
		info, err := os.Lstat(path)
		if err != nil || info.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// special reports whether path is under /dev or /proc, whose files are written in place.
func special(path string) bool {
	abs, err := filepath.Abs(path)
	return err == nil && (strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/"))
}
