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
	if err != nil {
		t.Fatal(err)
	}
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
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
				defer r.Close()
				cmd.Stdin = r
			case "":
			default:
				fh, err := os.Open(tc.stdin)
				if err != nil {
					t.Fatal(err)
				}
				defer fh.Close()
				cmd.Stdin = fh
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if tc.signal {
				time.Sleep(time.Second) // past start-up, into the read
				_ = cmd.Process.Signal(syscall.SIGTERM)
			}
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("succeeded")
				}
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				<-done
				t.Fatal("did not stop")
			}
			if got := strings.TrimSpace(stderr.String()); got != "qcmb: "+tc.wantErr {
				t.Errorf("stderr %q, want %q", got, "qcmb: "+tc.wantErr)
			}
		})
	}
}

// TestErrorsQuoteExcerpts: a bad value of megabytes in an input is quoted by a short
// excerpt in the one error line (it used to be echoed whole, and a psi4 option's value
// once per task).
func TestErrorsQuoteExcerpts(t *testing.T) {
	var in map[string]any
	data, err := os.ReadFile("../../testdata/inputs/qcmanybody_water_dimer_cp_energy.json")
	if err != nil {
		t.Fatal(err)
	}
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
			if err := json.Unmarshal(data, &in); err != nil {
				t.Fatal(err)
			}
			tc.set(in)
			path := filepath.Join(t.TempDir(), "in.json")
			b, _ := json.Marshal(in)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := execute(t, "plan", path)
			if err == nil || len(err.Error()) > 1000 || !strings.Contains(err.Error(), "bytes)") {
				t.Errorf("error of %d bytes, want an excerpt: %.300v", len(fmt.Sprint(err)), err)
			}
		})
	}
}
