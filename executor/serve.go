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

// Serve is the worker side of the Subprocess executor's protocol. It reads AtomicInput
// JSON documents from r, one per line, runs each with run (nil means EngineRunner()) and
// the program named by its extras[ProgramKey] (else, in a QCSchema v2 input, by
// specification.program; else DefaultProgram), and writes one
// compact AtomicResult or FailedOperation JSON line per input to w, in order, flushing
// after each. Blank lines are skipped. A malformed line, a program error or a panic is a
// FailedOperation line, not a failure of Serve. Serve returns nil at the end of r, the
// error of r or w if reading or writing fails, and ctx.Err() if ctx is done (checked
// between lines and passed to the program; a blocked read of r is not interrupted).
func Serve(ctx context.Context, r io.Reader, w io.Writer, run Runner) error {
	if run == nil {
		run = EngineRunner()
	}
	br := bufio.NewReaderSize(r, readBufSize)
	bw := bufio.NewWriterSize(w, writeBufSize)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var long []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, rerr := readLine(br, &long)
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
			return rerr
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
// the next call. Lines longer than br's buffer are gathered in *long.
func readLine(br *bufio.Reader, long *[]byte) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return line, err
	}
	buf := append((*long)[:0], line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = br.ReadSlice('\n')
		buf = append(buf, line...)
	}
	*long = buf
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
	}
	if len(res.Extras) > 0 {
		fo.Extras = res.Extras
	}
	return nil, fo, cpu, nil
}
