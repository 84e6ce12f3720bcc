package executor

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Buffer sizes of the worker protocol's pipes.
const (
	readBufSize  = 1 << 20
	writeBufSize = 256 << 10
)

// DefaultMaxLine is the longest worker protocol line, in bytes, that Serve and the
// Subprocess executor read unless told otherwise: far more than any AtomicInput or result
// needs, and a bound on the memory a runaway or hostile stream can take.
const DefaultMaxLine = 256 << 20

// ErrLineTooLong is returned (wrapped) for a protocol line longer than the limit.
var ErrLineTooLong = errors.New("line too long")

// Serve is the worker side of the Subprocess executor's protocol. It reads AtomicInput
// JSON documents from r, one per line, runs each with run (nil means EngineRunner()) and
// the program named by its extras[ProgramKey] (else, in a QCSchema v2 input, by
// specification.program; else DefaultProgram), and writes one
// compact AtomicResult or FailedOperation JSON line per input to w, in order, flushing
// after each. Blank lines are skipped. A malformed line, a program error or a panic is a
// FailedOperation line, not a failure of Serve. Serve returns nil at the end of r, the
// error of r or w if reading or writing fails, an error wrapping ErrLineTooLong for a line
// longer than DefaultMaxLine, and ctx.Err() as soon as ctx is done (the program running is
// passed ctx; a read of r that blocks is abandoned, left to end when r does).
func Serve(ctx context.Context, r io.Reader, w io.Writer, run Runner) error {
	return (&Server{Runner: run}).Serve(ctx, r, w)
}

// Server is Serve with settings.
type Server struct {
	// Runner runs the inputs; nil means EngineRunner().
	Runner Runner
	// MaxLine is the longest input line accepted, in bytes; 0 means DefaultMaxLine.
	MaxLine int
}

// Serve is the package-level Serve with s's settings.
func (s *Server) Serve(ctx context.Context, r io.Reader, w io.Writer) error {
	run := s.Runner
	if run == nil {
		run = EngineRunner()
	}
	lines := newLineReader(r, s.MaxLine)
	defer lines.stop()
	bw := bufio.NewWriterSize(w, writeBufSize)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for {
		line, rerr := lines.next(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			cpu0, metered := processCPU()
			res, err := serveOne(ctx, run, line)
			if cpu1, ok := processCPU(); ok && metered {
				reportCPU(res, err, cpu1-cpu0)
			}
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			var v any = res
			if err != nil {
				v = err
			}
			if encErr := enc.Encode(v); encErr != nil {
				// Encode writes nothing when it fails (a NaN, say): report that instead.
				fo := failure(line, qcschema.ErrorUnknown, "encoding the program's output: "+encErr.Error())
				if encErr = enc.Encode(fo); encErr != nil {
					return encErr
				}
			}
			if err := bw.Flush(); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("reading input: %w", rerr)
		}
	}
}

// reportCPU adds the processor time a line took to its result's or failure's extras
// (CPUKey).
func reportCPU(res *qcschema.AtomicResult, err error, cpu time.Duration) {
	var extras *map[string]any
	var fo *qcschema.FailedOperation
	switch {
	case err == nil && res != nil:
		extras = &res.Extras
	case errors.As(err, &fo):
		extras = &fo.Extras
	default:
		return
	}
	if *extras == nil {
		*extras = map[string]any{}
	}
	(*extras)[CPUKey] = cpu.Seconds()
}

// takeCPU removes CPUKey from extras and returns its value (0 if absent or not a number).
func takeCPU(extras map[string]any) time.Duration {
	v, ok := extras[CPUKey]
	if !ok {
		return 0
	}
	delete(extras, CPUKey)
	if f, ok := v.(float64); ok && f > 0 && f < 1e9 {
		return time.Duration(f * float64(time.Second))
	}
	return 0
}

// lineReader reads lines in a goroutine of its own, one when asked, so that a caller
// waiting for a line can give up when its context ends.
type lineReader struct {
	ask  chan struct{}
	got  chan lineRead
	quit chan struct{}
}

type lineRead struct {
	line []byte
	err  error
}

func newLineReader(r io.Reader, max int) *lineReader {
	if max <= 0 {
		max = DefaultMaxLine
	}
	lr := &lineReader{ask: make(chan struct{}), got: make(chan lineRead), quit: make(chan struct{})}
	go func() {
		br := bufio.NewReaderSize(r, min(readBufSize, max))
		var long []byte
		for {
			select {
			case <-lr.ask:
			case <-lr.quit:
				return
			}
			line, err := readLine(br, &long, max)
			select {
			case lr.got <- lineRead{line, err}:
			case <-lr.quit:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return lr
}

// next returns the next line (valid until the following call), or ctx's error.
func (lr *lineReader) next(ctx context.Context) ([]byte, error) {
	select {
	case lr.ask <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case l := <-lr.got:
		return l.line, l.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// stop lets the goroutine end once its read, if one is under way, returns.
func (lr *lineReader) stop() { close(lr.quit) }

// programHead is the part of a worker line that names its program.
type programHead struct {
	Extras struct {
		Program *string `json:"qcmb:program"`
	} `json:"extras"`
	Specification *struct { // QCSchema v2 AtomicInput
		Program string `json:"program"`
	} `json:"specification"`
}

// serveOne runs one line; the error is nil or a *qcschema.FailedOperation.
func serveOne(ctx context.Context, run Runner, line []byte) (*qcschema.AtomicResult, error) {
	var head programHead
	if err := json.Unmarshal(line, &head); err != nil {
		return nil, failure(line, qcschema.ErrorInput, "malformed input line: "+err.Error())
	}
	program := DefaultProgram
	if p := head.Extras.Program; p != nil && *p != "" {
		program = *p
	} else if s := head.Specification; s != nil && s.Program != "" {
		program = s.Program
	}
	if program == PingProgram {
		return pong(), nil
	}
	res, err := safeRun(ctx, run, program, line)
	return settle(ctx, line, res, err, 0)
}

// readLine returns the next line, with its newline if it has one. The slice is valid until
// the next call. Lines longer than br's buffer are gathered in *long; a line longer than max
// bytes is an error wrapping ErrLineTooLong.
func readLine(br *bufio.Reader, long *[]byte, max int) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return line, err
	}
	buf := append((*long)[:0], line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		if len(buf) > max {
			*long = nil
			return nil, fmt.Errorf("%w: over %d bytes", ErrLineTooLong, max)
		}
		line, err = br.ReadSlice('\n')
		buf = append(buf, line...)
	}
	*long = buf
	if len(buf) > max {
		*long = nil
		return nil, fmt.Errorf("%w: over %d bytes", ErrLineTooLong, max)
	}
	return buf, err
}

// decodeLine turns a worker's output line into a result or a failure (whose InputData the
// caller sets). A line that is not a JSON object is a protocol error, the third result.
// The processor time the worker reported (CPUKey) is removed from the extras and returned.
func decodeLine(line []byte) (*qcschema.AtomicResult, *qcschema.FailedOperation, time.Duration, error) {
	res := new(qcschema.AtomicResult)
	if err := json.Unmarshal(line, res); err != nil {
		const max = 200
		s := line
		if len(s) > max {
			s = s[:max]
		}
		return nil, nil, 0, fmt.Errorf("protocol error: output line is not an AtomicResult or FailedOperation (%v): %q", err, s)
	}
	cpu := takeCPU(res.Extras)
	if res.Success {
		return res, nil, cpu, nil
	}
	fo := &qcschema.FailedOperation{ID: res.ID, ComputeError: qcschema.ComputeError{
		ErrorType: qcschema.ErrorUnknown, ErrorMessage: "worker returned success false without an error"}}
	if res.Error != nil {
		fo.ComputeError = *res.Error
		if fo.ComputeError.ErrorType == "" { // a sloppy worker: still a failure, and typed
			fo.ComputeError.ErrorType = qcschema.ErrorUnknown
		}
		if fo.ComputeError.ErrorMessage == "" {
			fo.ComputeError.ErrorMessage = "worker returned an error without a message"
		}
	}
	if len(res.Extras) > 0 {
		fo.Extras = res.Extras
	}
	return nil, fo, cpu, nil
}
