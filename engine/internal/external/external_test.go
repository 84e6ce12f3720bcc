package external

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestRunCapturesOutput(t *testing.T) {
	out, errOut, err := Run(context.Background(), "/bin/sh", []string{"-c", "echo out; echo err >&2; exit 3"}, t.TempDir(), nil)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("err = %v, want exit status 3", err)
	}
	if string(out) != "out\n" || string(errOut) != "err\n" {
		t.Fatalf("stdout %q stderr %q", out, errOut)
	}
}

// TestRunKillsGroup: cancelling ends the shell and the sleep it started, promptly.
func TestRunKillsGroup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := Run(ctx, "/bin/sh", []string{"-c", "sleep 30 & sleep 30; wait"}, "", nil)
	if err == nil {
		t.Fatal("no error from a cancelled run")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("cancelled run took %v", d)
	}
}

func TestScratchDir(t *testing.T) {
	parent := t.TempDir()
	a, err := ScratchDir(parent, "psi4")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ScratchDir(parent, "psi4")
	if err != nil {
		t.Fatal(err)
	}
	if a == b || !strings.HasPrefix(a, parent+"/qcmb-psi4-") {
		t.Fatalf("scratch directories %q and %q under %q", a, b, parent)
	}
}
