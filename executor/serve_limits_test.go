package executor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/qcschema"
)

// zeros is an endless stream of NUL bytes, as /dev/zero gives.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestServeLimits: a line over the limit, or an endless one, ends Serve with
// ErrLineTooLong instead of growing without bound; lines within it are served.
func TestServeLimits(t *testing.T) {
	good := mustTask(t, input("good", qcschema.DriverEnergy, 2, 1, nil, map[string]any{executor.ProgramKey: fakeName}), false)
	limit := len(good.Payload) + 10
	for _, tc := range []struct {
		name      string
		in        io.Reader
		wantLines int
	}{
		{"long line after a good one", strings.NewReader(string(good.Payload) + "\n" + strings.Repeat(" ", 2*limit) + "x\n"), 1},
		{"endless line", zeros{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			s := &executor.Server{MaxLine: limit}
			err := s.Serve(context.Background(), tc.in, &out)
			require.ErrorIs(t, err, executor.ErrLineTooLong, "Serve")
			assert.Equal(t, tc.wantLines, strings.Count(out.String(), "\n"), "result lines")
		})
	}
}

// TestServeStopsOnCancelWhileReading: a worker waiting for input (a read that blocks)
// returns as soon as its context ends, as on SIGTERM.
func TestServeStopsOnCancelWhileReading(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- executor.Serve(ctx, pr, io.Discard, nil) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled, "Serve")
	case <-time.After(5 * time.Second):
		require.FailNow(t, "Serve did not return after cancellation while blocked reading")
	}
	pw.Close() // lets the abandoned read return
}

// TestServeWritesValidUTF8: whatever bytes an input line holds, every line the worker
// writes is valid UTF-8 JSON, which strict readers (Python's json, browsers) accept:
// invalid UTF-8 in a string that a FailedOperation echoes back (input_data, a quoted
// method name) used to be copied into the answer as it came.
func TestServeWritesValidUTF8(t *testing.T) {
	he := `"molecule": {"symbols": ["He"], "geometry": [0, 0, 0]}`
	model := `"driver": "energy", "model": {"method": "hf", "basis": "sto-3g"}`
	for _, line := range []string{
		"{\"driver\": \"energy\", \"model\": {\"method\": \"h\xff\xfef\", \"basis\": \"sto-3g\"}, " + he + "}",
		"{" + model + ", \"keywords\": {\"\xc3\": \"\xed\xa0\x80\"}, " + he + "}",
		"{\"driver\": \"ene\x80rgy\", \"model\": {\"method\": \"hf\", \"basis\": \"sto-3g\"}, " + he + ", \"extras\": {\"qcmb:program\": \"\xf8\x88\x80\x80\x80\"}}",
		"\xff\xfe not JSON at all \xc0\xaf",
		"{\"bogus\": \"\xff\"}",
		"{" + model + ", " + he + ", \"extras\": {\"qcmb:program\": \"no\xffsuch\"}}",
		"{" + model + ", \"molecule\": {\"symbols\": [\"He\"], \"geometry\": [0, 0]}, \"extras\": {\"x\": \"\xff\"}}",
		"{" + model + ", \"molecule\": {\"symbols\": [\"H\xe2\x28\xa1\"], \"geometry\": [0, 0, 0]}}",
	} {
		var out bytes.Buffer
		require.NoError(t, (&executor.Server{}).Serve(context.Background(), strings.NewReader(line+"\n"), &out), "Serve")
		assert.True(t, utf8.Valid(out.Bytes()), "answer to %q is not valid UTF-8: %q", line, out.String())
		var doc map[string]any
		if assert.NoError(t, json.Unmarshal(out.Bytes(), &doc), "answer to %q: %s", line, out.String()) {
			assert.Equal(t, false, doc["success"], "answer to %q is no FailedOperation: %s", line, out.String())
		}
	}
}
