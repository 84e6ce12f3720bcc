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
	sess := &session{run: s.Runner}
	if sess.run == nil {
		sess.run = EngineRunner()
	}
	lines := newLineReader(r, s.MaxLine)
	defer lines.stop()
	bw := bufio.NewWriterSize(w, writeBufSize)
	var answer bytes.Buffer
	enc := json.NewEncoder(&answer)
	enc.SetEscapeHTML(false)
	for {
		line, rerr := lines.next(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		if line = bytes.TrimSpace(line); len(line) > 0 {
			res, err := sess.serve(ctx, line)
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			var v any = res
			if err != nil {
				v = err
			}
			answer.Reset()
			if encErr := enc.Encode(v); encErr != nil {
				// Encode writes nothing when it fails (a NaN, say): report that instead.
				fo := failure(line, qcschema.ErrorUnknown, "encoding the program's output: "+encErr.Error())
				if encErr = enc.Encode(fo); encErr != nil {
					return encErr
				}
			}
			// Every line is valid UTF-8, whatever a program or an echoed input held: strict
			// JSON readers refuse anything else.
			if _, err := bw.Write(validUTF8(answer.Bytes())); err != nil {
				return err
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

// session is what Serve keeps from line to line.
type session struct {
	run     Runner
	perTask bool // the handshake asked for resident programs in a process per task
}

// serve runs one line, measuring the processor time it takes (CPUKey) and hearing of the
// resident program processes it waits for (StartsKey).
func (sess *session) serve(ctx context.Context, line []byte) (*qcschema.AtomicResult, error) {
	trace := newAttemptTrace(time.Now(), nil)
	lctx := trace.context(ctx)
	if sess.perTask {
		lctx = withPerTask(lctx)
	}
	cpu0, metered := processCPU()
	res, err := serveOne(lctx, sess, line)
	extras := lineExtras(res, err)
	if extras == nil {
		return res, err
	}
	if cpu1, ok := processCPU(); ok && metered {
		setExtra(extras, CPUKey, max(cpu1-cpu0+trace.cpuCorrection(), 0).Seconds())
	}
	if starts := trace.relative(); len(starts) > 0 {
		setExtra(extras, StartsKey, startsJSON(starts))
	}
	return res, err
}

// lineExtras returns the extras of a line's result or failure, nil if it has neither.
func lineExtras(res *qcschema.AtomicResult, err error) *map[string]any {
	var fo *qcschema.FailedOperation
	switch {
	case err == nil && res != nil:
		return &res.Extras
	case errors.As(err, &fo):
		return &fo.Extras
	}
	return nil
}

func setExtra(extras *map[string]any, key string, v any) {
	if *extras == nil {
		*extras = map[string]any{}
	}
	(*extras)[key] = v
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
		Program  *string `json:"qcmb:program"`
		Resident *bool   `json:"qcmb:resident"` // of the handshake
	} `json:"extras"`
	Specification *struct { // QCSchema v2 AtomicInput
		Program string `json:"program"`
	} `json:"specification"`
}

// serveOne runs one line; the error is nil or a *qcschema.FailedOperation.
func serveOne(ctx context.Context, sess *session, line []byte) (*qcschema.AtomicResult, error) {
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
		if r := head.Extras.Resident; r != nil && !*r {
			sess.perTask = true
		}
		return pong(), nil
	}
	res, err := safeRun(ctx, sess.run, program, line)
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
// caller sets). A line that is not a JSON object is a protocol error, the last result.
// The processor time and resident program start-ups the worker reported (CPUKey,
// StartsKey) are removed from the extras and returned.
func decodeLine(line []byte) (*qcschema.AtomicResult, *qcschema.FailedOperation, time.Duration, []programStart, error) {
	res := new(qcschema.AtomicResult)
	err := qcschema.CheckDepth(line, qcschema.MaxDepth)
	if err == nil {
		err = json.Unmarshal(line, res)
	}
	if err != nil {
		return nil, nil, 0, nil, fmt.Errorf("protocol error: output line is not an AtomicResult or FailedOperation (%v): %s", err, qcschema.Quote(line))
	}
	cpu, starts := takeCPU(res.Extras), takeStarts(res.Extras)
	if res.Success {
		return res, nil, cpu, starts, nil
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
	return nil, fo, cpu, starts, nil
}
