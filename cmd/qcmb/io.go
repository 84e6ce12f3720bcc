package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/qcschema"
)

// defaultMaxInput is the default of --max-input: far above any real input, and a bound on
// what reading /dev/zero or a runaway pipe can take.
const defaultMaxInput byteSize = 1 << 30

// inputReader reads input files ("-" for standard input): at most limit bytes, giving
// up when ctx ends (SIGINT, SIGTERM).
type inputReader struct {
	ctx   context.Context
	limit byteSize
}

// inputsOf is how cmd reads its input files: at most its --max-input bytes, giving up when
// its context ends.
func inputsOf(cmd *cobra.Command) inputReader {
	r := inputReader{ctx: cmd.Context(), limit: defaultMaxInput}
	if r.ctx == nil {
		r.ctx = context.Background()
	}
	if f := cmd.Flags().Lookup("max-input"); f != nil {
		r.limit = *f.Value.(*byteSize)
	}
	return r
}

// read reads the file whole.
func (in inputReader) read(path string) ([]byte, error) {
	var r io.Reader = os.Stdin
	size := 0
	if path != "-" {
		fh, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		if fi, err := fh.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() <= int64(in.limit) {
			size = int(fi.Size())
		}
		r = fh
	}
	data, err := readAll(in.ctx, r, int64(in.limit), size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

// mapThreshold is the size from which a regular file is mapped rather than read.
const mapThreshold = 1 << 20

// mapped returns the bytes of the file as read does, but maps a large regular file into
// memory instead of copying it: its pages come from the page cache, which on Linux holds
// them in large folios, where a copy costs a page fault per 4 KiB (a second for 356 MB on
// a virtual machine). release unmaps them: call it once nothing refers to the bytes. A
// file that shrinks while mapped faults on access; read the bytes under guardFaults.
func (in inputReader) mapped(path string) (data []byte, release func(), err error) {
	noop := func() {}
	if path == "-" {
		data, err = in.read(path)
		return data, noop, err
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, noop, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() < mapThreshold {
		data, err = in.read(path)
		return data, noop, err
	}
	if fi.Size() > int64(in.limit) {
		return nil, noop, fmt.Errorf("%s: larger than the limit of %v (see --max-input)", path, in.limit)
	}
	data, unmap, err := mapFile(fh, int(fi.Size()))
	if err != nil { // no mmap here, or it failed: read instead
		data, err = in.read(path)
		return data, noop, err
	}
	return data, unmap, nil
}

// errFileChanged is a fault on reading a mapped file: it shrank while being read.
var errFileChanged = errors.New("the file changed while it was read")

// guardFaults makes a fault on reading mapped memory in the calling goroutine a panic
// that a deferred recoverFault turns into errFileChanged; call the function it returns,
// deferred, to end it. Every goroutine that reads mapped bytes needs both.
func guardFaults() (end func()) {
	old := debug.SetPanicOnFault(true)
	return func() { debug.SetPanicOnFault(old) }
}

// recoverFault, deferred, sets *err to errFileChanged, after where unless empty, for a
// fault on memory access, and panics on with anything else.
func recoverFault(err *error, where string) {
	r := recover()
	if r == nil {
		return
	}
	if _, fault := r.(interface{ Addr() uintptr }); !fault {
		panic(r)
	}
	*err = errFileChanged
	if where != "" {
		*err = fmt.Errorf("%s: %w", where, errFileChanged)
	}
}

// readJSON decodes the JSON document in path ("-" for stdin) into v, naming the file in
// errors. It reads at most cmd's --max-input bytes and stops when cmd's context ends.
func readJSON(cmd *cobra.Command, path string, v any) error {
	data, err := inputsOf(cmd).read(path)
	if err != nil {
		return err
	}
	if err := qcschema.CheckDepth(data, qcschema.MaxDepth); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// readAll reads r to its end, at most limit bytes, giving up when ctx ends; size, when
// known, sizes the buffer at once (a file of hundreds of megabytes is not copied as it grows). The reads run
// in a goroutine of their own, so that a read that blocks (a terminal, a pipe) does not
// keep a signalled command waiting; that goroutine stops at its next read once ctx is done.
func readAll(ctx context.Context, r io.Reader, limit int64, size int) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	got := make(chan result, 1)
	go func() {
		// Read straight into one slice of the expected size: a fresh large allocation
		// needs no clearing, where bytes.Buffer's growth clears and copies hundreds of
		// megabytes. Reads of at most 1 MiB keep the loop responsive to ctx.
		buf := make([]byte, 0, size+1)
		for ctx.Err() == nil {
			if len(buf) == cap(buf) {
				buf = slices.Grow(buf, max(len(buf), 1<<20))
			}
			n, err := r.Read(buf[len(buf):min(cap(buf), len(buf)+1<<20)])
			buf = buf[:len(buf)+n]
			if int64(len(buf)) > limit {
				got <- result{err: fmt.Errorf("larger than the limit of %v (see --max-input)", byteSize(limit))}
				return
			}
			if errors.Is(err, io.EOF) {
				got <- result{data: buf}
				return
			}
			if err != nil {
				got <- result{err: err}
				return
			}
		}
		got <- result{err: ctx.Err()}
	}()
	select {
	case res := <-got:
		return res.data, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// byteSize is a flag value in bytes, written with an optional unit: 1GiB, 256MiB, 64KiB,
// 1GB, 500MB, 1000.
type byteSize int64

var sizeUnits = []struct {
	suffix string
	factor int64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}

func (b byteSize) String() string {
	for _, u := range []struct {
		suffix string
		factor int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b >= byteSize(u.factor) && int64(b)%u.factor == 0 {
			return strconv.FormatInt(int64(b)/u.factor, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(b), 10) + "B"
}

func (b *byteSize) Set(s string) error {
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
	*b = byteSize(n * factor)
	return nil
}

func (b *byteSize) Type() string { return "size" }
