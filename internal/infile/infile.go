package infile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// TooLargeError says that an input is larger than the limit it was read with.
type TooLargeError struct {
	Limit Size
}

func (e *TooLargeError) Error() string { return "larger than the limit of " + e.Limit.String() }

// ReadFile reads the file at path whole, at most limit bytes, giving up when ctx ends.
// The file is opened as Open opens it, so that no path can block the caller: a regular
// file larger than limit is refused before a byte is read; a pipe is read as a stream. Errors
// after the file is open name it.
func ReadFile(ctx context.Context, path string, limit Size) ([]byte, error) {
	fh, info, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	size := 0
	if info.Mode().IsRegular() {
		if info.Size() > int64(limit) {
			return nil, fmt.Errorf("%s: %w", path, &TooLargeError{Limit: limit})
		}
		size = int(info.Size())
	}
	data, err := ReadAll(ctx, fh, limit, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) == 0 && info.Mode()&fs.ModeNamedPipe != 0 && !isStdin(info) {
		return nil, fmt.Errorf("%s: a named pipe that gave no data (no program writes to it)", path)
	}
	return data, nil
}

// NotRegularError says that a path names something that cannot be read as an input file:
// a device, a socket or a directory.
type NotRegularError struct {
	Path string
	What string // "a directory", "a device", ...
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: %s, not a file (give a regular file, or - for standard input)", e.Path, e.What)
}

// Open opens path for reading without blocking, even on a named pipe that no program
// writes to (whose open would otherwise wait for a writer, deaf to signals), and returns
// it with what it is. Regular files and pipes (named ones, and those of process
// substitution, /dev/fd/N) are inputs, and so is standard input under any name
// (/dev/stdin); a directory, a device (/dev/zero, a terminal) or a socket is a
// *NotRegularError. A pipe with no writer reads as empty.
func Open(path string) (*os.File, fs.FileInfo, error) {
	fh, err := openNonBlocking(path)
	if err != nil {
		return nil, nil, err
	}
	info, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, nil, err
	}
	mode := info.Mode()
	if mode.IsRegular() || mode&fs.ModeNamedPipe != 0 || isStdin(info) {
		return fh, info, nil
	}
	fh.Close()
	what := "a special file"
	switch {
	case mode.IsDir():
		what = "a directory"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	}
	return nil, nil, &NotRegularError{Path: path, What: what}
}

// isStdin reports whether info is that of this process's standard input.
func isStdin(info fs.FileInfo) bool {
	in, err := os.Stdin.Stat()
	return err == nil && os.SameFile(info, in)
}

// ReadAll reads r to its end, at most limit bytes, giving up when ctx ends; size, when
// known, sizes the buffer at once (a file of hundreds of megabytes is not copied as it
// grows). The reads run in a goroutine of their own, so that a read that blocks (a
// terminal, a pipe) does not keep a signalled command waiting; that goroutine stops at its
// next read once ctx is done. An input over the limit is a *TooLargeError. Memory is
// bounded by the limit: no more than limit+1 bytes are read, and a stream of unknown size
// is read in chunks joined at the end, never in a buffer grown past the limit.
func ReadAll(ctx context.Context, r io.Reader, limit Size, size int) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	got := make(chan result, 1)
	go func() {
		data, err := readAll(ctx, r, limit, size)
		got <- result{data, err}
	}()
	select {
	case res := <-got:
		return res.data, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Chunk sizes of a stream read by readAll: the first, and the largest (chunks double).
const (
	firstChunk = 1 << 20
	maxChunk   = 64 << 20
)

// readAll is ReadAll's loop. A known size is read straight into one slice of that size
// plus one byte (to see the end): a fresh large allocation needs no clearing, where
// bytes.Buffer's growth clears and copies hundreds of megabytes. Anything beyond it, or a
// stream of unknown size, goes into chunks that double up to 64 MiB, each no larger than
// what the limit leaves, joined once the end is reached. Reads of at most 1 MiB keep it
// responsive to ctx.
func readAll(ctx context.Context, r io.Reader, limit Size, size int) ([]byte, error) {
	room := int64(limit) + 1 // the most bytes ever read: one past the limit shows excess
	next := int64(size) + 1
	if size == 0 {
		next = firstChunk
	}
	var chunks [][]byte
	total := int64(0)
	for {
		buf := make([]byte, 0, min(next, room-total))
		for len(buf) < cap(buf) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			n, err := r.Read(buf[len(buf):min(cap(buf), len(buf)+1<<20)])
			buf = buf[:len(buf)+n]
			if total+int64(len(buf)) > int64(limit) {
				return nil, &TooLargeError{Limit: limit}
			}
			if errors.Is(err, io.EOF) {
				return join(append(chunks, buf), total+int64(len(buf))), nil
			}
			if err != nil {
				return nil, err
			}
		}
		chunks = append(chunks, buf)
		total += int64(len(buf))
		next = min(max(2*int64(len(buf)), firstChunk), maxChunk)
	}
}

// join concatenates chunks of total bytes, releasing each as it is copied.
func join(chunks [][]byte, total int64) []byte {
	if len(chunks) == 1 {
		return chunks[0]
	}
	out := make([]byte, 0, total)
	for i := range chunks {
		out = append(out, chunks[i]...)
		chunks[i] = nil
	}
	return out
}

// Size is a size in bytes, written with an optional unit: 1GiB, 256MiB, 64KiB, 1GB,
// 500MB, 1000. It is a pflag.Value (String, Set, Type).
type Size int64

var sizeUnits = []struct {
	suffix string
	factor int64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}

// String writes the size in the largest binary unit that divides it.
func (b Size) String() string {
	for _, u := range []struct {
		suffix string
		factor int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b >= Size(u.factor) && int64(b)%u.factor == 0 {
			return strconv.FormatInt(int64(b)/u.factor, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(b), 10) + "B"
}

// Set reads a positive size with an optional unit.
func (b *Size) Set(s string) error {
	num, factor := strings.TrimSpace(s), int64(1)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, factor = strings.TrimSpace(rest), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/factor {
		return fmt.Errorf("%q: want a positive size such as 1GiB, 256MiB or 1000000", s)
	}
	*b = Size(n * factor)
	return nil
}

// Type names the flag's value type in help.
func (b *Size) Type() string { return "size" }
