package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEndlessInput: "qcmb run /dev/zero" and "qcmb worker < /dev/zero" stop at the size limit
// with one line instead of growing until the kernel kills them, and both stop on SIGTERM
// while waiting for input that does not come.
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
		{"run limit", []string{"run", "--max-input", "8MiB", "/dev/zero"}, "", false, "/dev/zero: larger than the limit of 8MiB (see --max-input)"},
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
