package psi4

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/qcschema"
)

func TestBasisFile(t *testing.T) {
	for name, file := range map[string]string{
		"STO-3G": "sto-3g.gbs", "6-31G*": "6-31gs.gbs", "6-31G**": "6-31gss.gbs",
		"6-311++G(2d,2p)": "6-311ppg_2d_2p_.gbs", "aug-cc-pVDZ": "aug-cc-pvdz.gbs",
	} {
		assert.Equal(t, file, basisFile(name), name)
	}
}

// TestCheck: Psi4's own method table and basis set library decide, in about a second and
// before anything runs, what Psi4 cannot compute; what it can passes, and so does what
// cannot be told before Psi4 runs.
func TestCheck(t *testing.T) {
	p := needPsi4(t)
	water := qcschema.Molecule{Symbols: []string{"O", "H", "H"}, Geometry: []float64{0, 0, -0.13, 0, 1.43, 1.03, 0, -1.43, 1.03}}
	for _, tc := range []struct {
		method, basis string
		keywords      map[string]any
		want          string // "" when accepted
	}{
		{"hf", "sto-3g", nil, ""},
		{"HF", "6-31G*", nil, ""},
		{"mp2", "6-311++G(2d,2p)", nil, ""},
		{"b3lyp-d3bj", "aug-cc-pVDZ", nil, ""},
		{"ccsd(t)", "cc-pvdz", nil, ""},
		{"mp7", "sto-3g", nil, ""},      // any order: Psi4 decides when it runs
		{"mp2/cc-pv[dt]z", "", nil, ""}, // composite
		{"hf", "cc-pv[dt]z", nil, ""},   // basis set family
		{"hf", "mine", map[string]any{"basis": "mine"}, ""},
		{"hf", "6-31q", nil, `Psi4 has no basis set "6-31q" (no 6-31q.gbs in `},
		{"hf", "6-31q", nil, `(did you mean "6-31g"?)`},
		{"b3lpy", "6-31g", nil, `Psi4 has no method "b3lpy" (did you mean "b3lyp"?)`},
	} {
		start := time.Now()
		err := engine.Check(context.Background(), p, input(water, qcschema.DriverGradient, qcschema.Model{Method: tc.method, Basis: tc.basis}, tc.keywords))
		if tc.want == "" {
			assert.NoError(t, err, "%s/%s", tc.method, tc.basis)
		} else {
			require.Error(t, err, "%s/%s", tc.method, tc.basis)
			assert.Contains(t, err.Error(), tc.want)
		}
		assert.Less(t, time.Since(start), 30*time.Second, "%s/%s: checked within seconds", tc.method, tc.basis)
	}
}

// TestCheckLeavesToPsi4WhatItCannotAsk: a psi4 command that is no Python script (here a
// shell script) cannot be asked for its catalog; the check passes and tasks decide.
func TestCheckLeavesToPsi4WhatItCannotAsk(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "psi4")
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\nexit 1\n"), 0o755))
	p := &Program{Command: script}
	in := input(qcschema.Molecule{Symbols: []string{"He"}, Geometry: []float64{0, 0, 0}}, qcschema.DriverEnergy, qcschema.Model{Method: "hf", Basis: "6-31q"}, nil)
	assert.NoError(t, p.Check(context.Background(), in))
}
