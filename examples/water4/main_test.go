package main

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
)

// TestMain lets the test binary serve as the example's own worker process.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-worker" {
		if err := executor.Serve(context.Background(), os.Stdin, os.Stdout, executor.EngineRunner()); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestWater4 runs the demonstration: run fails unless the serial, pool and subprocess
// results are bitwise identical.
func TestWater4(t *testing.T) {
	if testing.Short() {
		t.Skip("195 Hartree-Fock calculations")
	}
	require.NoError(t, run(context.Background(), "embedded", "hf", "sto-3g", 2))
}
