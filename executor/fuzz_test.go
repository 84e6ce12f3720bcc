package executor

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Fuzz tests of the worker protocol's readers: the worker reading an input line (Serve),
// the executor reading a worker's output line (decodeLine), and the executor editing a
// payload into an input line (appendLine). Seed corpora: testdata/fuzz/FuzzXxx.

const fuzzPayload = `{"driver":"energy","model":{"method":"hf","basis":"sto-3g"},"molecule":{"symbols":["He"],"geometry":[0,0,0]},"extras":{"a":1}}`

// FuzzServeLine: whatever a line holds, the worker answers it with exactly one JSON line,
// a result or a FailedOperation, and does not fail.
func FuzzServeLine(f *testing.F) {
	f.Add([]byte(fuzzPayload))
	f.Add([]byte(`{"extras": {"qcmb:program": 42}}`))
	f.Add([]byte("{\"driver\": \"energy\", \"model\": {\"method\": \"h\xff\", \"basis\": \"sto-3g\"}, \"molecule\": {\"symbols\": [\"He\"], \"geometry\": [0, 0, 0]}}"))
	f.Add([]byte(`{"schema_name": "qcschema_atomic_input", "specification": {"program": "x", "driver": "energy", "model": {"method": "hf"}}, "molecule": {"symbols": ["He"], "geometry": [0, 0, 0]}}`))
	run := RunnerFunc(func(ctx context.Context, program string, payload []byte) (*qcschema.AtomicResult, error) {
		in, err := DecodeInput(payload)
		if err != nil {
			return nil, err
		}
		if err := in.Molecule.CheckGeometry(); err != nil {
			return nil, failure(payload, qcschema.ErrorInput, err.Error())
		}
		e := -1.0
		return &qcschema.AtomicResult{SchemaName: qcschema.SchemaOutput, SchemaVersion: 1, Driver: in.Driver, Success: true,
			ReturnResult: qcschema.ReturnResult{Scalar: e}}, nil
	})
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.ContainsAny(line, "\n") || len(bytes.TrimSpace(line)) == 0 {
			return // one non-blank line
		}
		var out bytes.Buffer
		require.NoError(t, Serve(context.Background(), bytes.NewReader(line), &out, run), "Serve")
		require.True(t, utf8.Valid(out.Bytes()), "answer is not valid UTF-8: %q", out.Bytes())
		sc := bufio.NewScanner(&out)
		sc.Buffer(nil, 1<<24)
		var n int
		for sc.Scan() {
			n++
			_, _, _, _, err := decodeLine(sc.Bytes())
			require.NoError(t, err, "answer is not a result line")
		}
		require.Equal(t, 1, n, "answer lines")
	})
}

// FuzzDecodeLine: a worker's output line decodes into exactly one of a result, a failure
// or a protocol error, and a protocol error quotes a short excerpt of the line.
func FuzzDecodeLine(f *testing.F) {
	f.Add([]byte(`{"schema_name":"qcschema_output","schema_version":1,"success":true,"driver":"energy","return_result":-1.5}`))
	f.Add([]byte(`{"success":false,"error":{"error_type":"input_error","error_message":"bad"},"extras":{"x":1}}`))
	f.Add([]byte(`hello from a chatty worker`))
	f.Fuzz(func(t *testing.T, line []byte) {
		res, fo, _, _, err := decodeLine(line)
		n := 0
		for _, set := range []bool{res != nil, fo != nil, err != nil} {
			if set {
				n++
			}
		}
		require.Equal(t, 1, n, "result %v, failure %v, error %v: want exactly one", res, fo, err)
		if err != nil {
			require.LessOrEqual(t, len(err.Error()), 1000, "protocol error's length")
		}
		if fo != nil {
			require.NotEmpty(t, fo.ComputeError.ErrorType, "failure without an error type")
		}
	})
}

// FuzzAppendLine: an input line is one line; for a payload that is a JSON object it is a
// JSON object whose extras name the program and whose other members are the payload's.
func FuzzAppendLine(f *testing.F) {
	f.Add([]byte(fuzzPayload), "psi4")
	f.Add([]byte(`{"extras":null,"x":"}"}`), "embedded")
	f.Add([]byte("{\n \"extras\": {\"qcmb:program\": \"old\"}\n}"), "x")
	f.Fuzz(func(t *testing.T, payload []byte, program string) {
		if !utf8.ValidString(program) {
			return // program names are registry names; JSON would change invalid UTF-8
		}
		prog, _ := json.Marshal(program)
		line, err := appendLine(nil, payload, prog)
		if err != nil {
			return
		}
		require.False(t, bytes.ContainsAny(line, "\n\r"), "line %q spans lines", line)
		var want map[string]any
		if json.Unmarshal(payload, &want) != nil {
			return // the worker reports malformed payloads
		}
		var got map[string]any
		require.NoError(t, json.Unmarshal(line, &got), "line of a valid payload is not JSON:\n%s", line)
		ex, isObj := want["extras"].(map[string]any)
		if want["extras"] != nil && !isObj {
			return // not an object: passed through for the worker to refuse
		}
		gex, _ := got["extras"].(map[string]any)
		require.NotNil(t, gex, "extras %v do not name program %q", got["extras"], program)
		require.Equal(t, program, gex[ProgramKey], "extras %v do not name the program", got["extras"])
		for k, v := range ex {
			if k != ProgramKey {
				require.True(t, jsonEqual(gex[k], v), "extras[%q] changed: %v -> %v", k, v, gex[k])
			}
		}
		for k, v := range want {
			if k != "extras" {
				require.True(t, jsonEqual(got[k], v), "member %q changed", k)
			}
		}
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
