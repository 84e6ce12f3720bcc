package infile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// TooLargeError says that an input is larger than the limit it was read with.
type TooLargeError struct {
	Limit Size
}

func (e *TooLargeError) Error() string { return "larger than the limit of " + e.Limit.String() }

// ReadFile reads the file at path whole, at most limit bytes, giving up when ctx ends.
// Errors after the file is open name it.
func ReadFile(ctx context.Context, path string, limit Size) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	size := 0
	if fi, err := fh.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() <= int64(limit) {
		size = int(fi.Size())
	}
	data, err := ReadAll(ctx, fh, limit, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

// ReadAll reads r to its end, at most limit bytes, giving up when ctx ends; size, when
// known, sizes the buffer at once (a file of hundreds of megabytes is not copied as it
// grows). The reads run in a goroutine of their own, so that a read that blocks (a
// terminal, a pipe) does not keep a signalled command waiting; that goroutine stops at its
// next read once ctx is done. An input over the limit is a *TooLargeError.
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

// readAll is ReadAll's loop. It reads straight into one slice of the expected size: a
// fresh large allocation needs no clearing, where bytes.Buffer's growth clears and copies
// hundreds of megabytes. Reads of at most 1 MiB keep it responsive to ctx.
func readAll(ctx context.Context, r io.Reader, limit Size, size int) ([]byte, error) {
	buf := make([]byte, 0, size+1)
	for ctx.Err() == nil {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, max(len(buf), 1<<20))
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), len(buf)+1<<20)])
		buf = buf[:len(buf)+n]
		if Size(len(buf)) > limit {
			return nil, &TooLargeError{Limit: limit}
		}
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return nil, ctx.Err()
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
