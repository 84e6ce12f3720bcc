package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEndlessInput: "qcmb run - < /dev/zero" and "qcmb worker < /dev/zero" stop at the size
// limit with one line instead of growing until the kernel kills them, "qcmb run /dev/zero"
// refuses a device at once, and both stop on SIGTERM while waiting for input that does
// not come.
func TestEndlessInput(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	self, err := os.Executable()
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		args    []string
		stdin   string // file on standard input
		signal  bool
		wantErr string
	}{
		{"run device", []string{"run", "/dev/zero"}, "", false, "/dev/zero: a device, not a file (give a regular file, or - for standard input)"},
		{"run limit", []string{"run", "--max-input", "8MiB", "-"}, "/dev/zero", false, "-: larger than the limit of 8MiB (see --max-input)"},
		{"worker limit", []string{"worker", "--max-line", "4MiB"}, "/dev/zero", false, "reading input: line too long: over 4194304 bytes"},
		{"run sigterm", []string{"run", "-"}, "pipe", true, "-: context canceled (terminated signal received)"},
		{"worker sigterm", []string{"worker"}, "pipe", true, "context canceled (terminated signal received)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(self, tc.args...)
			cmd.Env = append(os.Environ(), asMainEnv+"=1")
			switch tc.stdin {
			case "pipe": // open, and silent
				r, w, err := os.Pipe()
				require.NoError(t, err)
				defer w.Close()
				defer r.Close()
				cmd.Stdin = r
			case "":
			default:
				fh, err := os.Open(tc.stdin)
				require.NoError(t, err)
				defer fh.Close()
				cmd.Stdin = fh
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if tc.signal {
				time.Sleep(time.Second) // past start-up, into the read
				_ = cmd.Process.Signal(syscall.SIGTERM)
			}
			select {
			case err := <-done:
				require.Error(t, err, "succeeded")
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				require.FailNow(t, "did not stop")
			}
			assert.Equal(t, "qcmb: "+tc.wantErr, strings.TrimSpace(stderr.String()), "stderr")
		})
	}
}

// TestErrorsQuoteExcerpts: a bad value of megabytes in an input is quoted by a short
// excerpt in the one error line (it used to be echoed whole, and a psi4 option's value
// once per task).
func TestErrorsQuoteExcerpts(t *testing.T) {
	var in map[string]any
	data, err := os.ReadFile("../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json")
	require.NoError(t, err)
	big := strings.Repeat("b", 5<<20)
	for _, tc := range []struct {
		name string
		set  func(in map[string]any)
	}{
		{"driver", func(in map[string]any) { in["specification"].(map[string]any)["driver"] = big }},
		{"bsse_type", func(in map[string]any) {
			in["specification"].(map[string]any)["keywords"].(map[string]any)["bsse_type"] = []any{big}
		}},
		{"levels key", func(in map[string]any) {
			in["specification"].(map[string]any)["keywords"].(map[string]any)["levels"] = map[string]any{big: "scf"}
		}},
		{"symbol", func(in map[string]any) { in["molecule"].(map[string]any)["symbols"].([]any)[0] = big }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, json.Unmarshal(data, &in))
			tc.set(in)
			path := filepath.Join(t.TempDir(), "in.json")
			b, _ := json.Marshal(in)
			require.NoError(t, os.WriteFile(path, b, 0o644))
			_, err := execute(t, "plan", path)
			if assert.Error(t, err) {
				assert.LessOrEqual(t, len(err.Error()), 1000, "error's length: want an excerpt: %.300v", err)
				assert.ErrorContains(t, err, "bytes)", "want an excerpt")
			}
		})
	}
}

// TestMessagesQuoteExcerpts: a value of a megabyte anywhere in an input (a method, basis,
// program or model chemistry name, a keyword's name or value, ...) is quoted by a short
// excerpt in every message about it, whichever command finds the problem: before the run
// (the programs' check), in each task's failure, in the worker's FailedOperation, in a
// single point. A 1 MB method name used to give a 131 KB message.
func TestMessagesQuoteExcerpts(t *testing.T) {
	big := strings.Repeat("Q", 1<<20)
	data, err := os.ReadFile(testInput(t, nil))
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		set  func(in map[string]any, spec map[string]any)
	}{
		{"method", func(_, spec map[string]any) { spec["model"].(map[string]any)["method"] = big }},
		{"basis", func(_, spec map[string]any) { spec["model"].(map[string]any)["basis"] = big }},
		{"program", func(_, spec map[string]any) { spec["program"] = big }},
		{"keyword name", func(_, spec map[string]any) { spec["keywords"] = map[string]any{big: 1} }},
		{"keyword value", func(_, spec map[string]any) { spec["keywords"] = map[string]any{"scf_type": big} }},
		{"keyword number", func(_, spec map[string]any) { spec["keywords"] = map[string]any{"maxiter": []any{big}} }},
		{"driver", func(in, _ map[string]any) { in["specification"].(map[string]any)["driver"] = big }},
		{"symbol", func(in, _ map[string]any) { in["molecule"].(map[string]any)["symbols"].([]any)[0] = big }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in map[string]any
			require.NoError(t, json.Unmarshal(data, &in))
			spec := in["specification"].(map[string]any)["specification"].(map[string]any)["scf"].(map[string]any)
			spec["program"] = "embedded"
			tc.set(in, spec)
			path := filepath.Join(t.TempDir(), "in.json")
			b, _ := json.Marshal(in)
			require.NoError(t, os.WriteFile(path, b, 0o644))
			for _, args := range [][]string{{"plan", path}, {"run", path, "--no-store", "--no-check", "--executor", "serial"}} {
				_, err := execute(t, args...)
				require.Error(t, err, "%s succeeded", args[0])
				msg := err.Error()
				for _, line := range strings.Split(msg, "\n") {
					assert.LessOrEqual(t, len(line), 800, "%s: a line's length: %.300s", args[0], line)
				}
				assert.LessOrEqual(t, len(msg), 8000, "%s: the message's length", args[0])
			}
		})
	}
	// One task on its own: the FailedOperation's message, through qcmb compute and the worker.
	ai := fmt.Sprintf(`{"schema_name": "qcschema_input", "schema_version": 1, "driver": "energy", "model": {"method": %q, "basis": "sto-3g"},
		"molecule": {"symbols": ["He"], "geometry": [0, 0, 0]}}`, big)
	path := filepath.Join(t.TempDir(), "ai.json")
	require.NoError(t, os.WriteFile(path, []byte(ai), 0o644))
	out, err := execute(t, "compute", path)
	if assert.Error(t, err, "compute") {
		assert.LessOrEqual(t, len(err.Error()), 600, "compute: error's length: %.300v", err)
	}
	var fo struct {
		Error struct {
			Message string `json:"error_message"`
		} `json:"error"`
	}
	if assert.NoError(t, json.Unmarshal([]byte(out), &fo), "compute: FailedOperation") {
		assert.NotEmpty(t, fo.Error.Message, "compute: FailedOperation message")
		assert.LessOrEqual(t, len(fo.Error.Message), 600, "compute: FailedOperation message's length")
	}
}
