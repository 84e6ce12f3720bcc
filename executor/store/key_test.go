package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
)

func TestTaskKey(t *testing.T) {
	const base = `{"id": "[\"scf\", [1], [1, 2]]", "driver": "energy", "model": {"method": "hf", "basis": "sto-3g"},
		"molecule": {"symbols": ["He", "He"], "geometry": [0, 0, 0, 0, 0, 5.6], "real": [true, false]}, "keywords": {"e_convergence": 1e-10}}`
	ref, id, err := store.TaskKey("embedded", "0.1.0", []byte(base))
	require.NoError(t, err)
	require.Equal(t, `["scf", [1], [1, 2]]`, id)

	same := []struct {
		name, program, payload string
	}{
		{"another label (another input or model chemistry name)", "embedded",
			`{"id": "[\"(auto)\", [1], [1, 2]]", "driver": "energy", "model": {"method": "hf", "basis": "sto-3g"}, "molecule": {"symbols": ["He", "He"], "geometry": [0, 0, 0, 0, 0, 5.6], "real": [true, false]}, "keywords": {"e_convergence": 1e-10}}`},
		{"members in another order, no id", "embedded",
			`{"keywords": {"e_convergence": 1e-10}, "molecule": {"real": [true, false], "geometry": [0, 0, 0, 0, 0, 5.6], "symbols": ["He", "He"]}, "model": {"basis": "sto-3g", "method": "hf"}, "driver": "energy"}`},
		{"numbers written otherwise", "embedded",
			`{"driver": "energy", "model": {"method": "hf", "basis": "sto-3g"}, "molecule": {"symbols": ["He", "He"], "geometry": [0.0, 0e0, -0, 0, 0, 56e-1], "real": [true, false]}, "keywords": {"e_convergence": 0.0000000001}}`},
		{"the executor's program key in extras", "embedded",
			`{"extras": {"qcmb:program": "embedded"}, "driver": "energy", "model": {"method": "hf", "basis": "sto-3g"}, "molecule": {"symbols": ["He", "He"], "geometry": [0, 0, 0, 0, 0, 5.6], "real": [true, false]}, "keywords": {"e_convergence": 1e-10}}`},
		{"program name in upper case", "EMBEDDED", base},
	}
	for _, c := range same {
		k, _, err := store.TaskKey(c.program, "0.1.0", []byte(c.payload))
		require.NoError(t, err, c.name)
		require.Equal(t, ref, k, c.name)
	}

	different := []struct {
		name, program, version, payload string
	}{
		{"another program", "psi4", "0.1.0", base},
		{"another version", "embedded", "0.2.0", base},
		{"another geometry", "embedded", "0.1.0", `{"driver": "energy", "model": {"method": "hf", "basis": "sto-3g"}, "molecule": {"symbols": ["He", "He"], "geometry": [0, 0, 0, 0, 0, 5.6000000000000005], "real": [true, false]}, "keywords": {"e_convergence": 1e-10}}`},
		{"ghost made real", "embedded", "0.1.0", `{"driver": "energy", "model": {"method": "hf", "basis": "sto-3g"}, "molecule": {"symbols": ["He", "He"], "geometry": [0, 0, 0, 0, 0, 5.6], "real": [true, true]}, "keywords": {"e_convergence": 1e-10}}`},
		{"other extras", "embedded", "0.1.0", `{"extras": {"program": "nwchem"}, "driver": "energy", "model": {"method": "hf", "basis": "sto-3g"}, "molecule": {"symbols": ["He", "He"], "geometry": [0, 0, 0, 0, 0, 5.6], "real": [true, false]}, "keywords": {"e_convergence": 1e-10}}`},
	}
	for _, c := range different {
		k, _, err := store.TaskKey(c.program, c.version, []byte(c.payload))
		require.NoError(t, err, c.name)
		require.NotEqual(t, ref, k, c.name)
	}

	for _, bad := range []string{``, `[1, 2]`, `{"a": 1} {"b": 2}`, `{"a": `} {
		_, _, err := store.TaskKey("embedded", "", []byte(bad))
		require.Error(t, err, bad)
	}
}

func TestKeyerAsksForEachVersionOnce(t *testing.T) {
	asked := map[string]int{}
	k := store.NewKeyer(func(ctx context.Context, program string) (string, error) {
		asked[program]++
		if program == "missing" {
			return "", errors.New("not installed")
		}
		return "1." + program, nil
	})
	ctx := context.Background()
	payload := []byte(`{"molecule": {"symbols": ["He"], "geometry": [0, 0, 0]}}`)
	for range 3 {
		for _, p := range []string{"psi4", "", "missing"} {
			got, _, err := k.Key(ctx, executor.Task{Program: p, Payload: payload})
			require.NoError(t, err)
			v := map[string]string{"psi4": "1.psi4", "": "1.embedded", "missing": ""}[p]
			want, _, err := store.TaskKey(p, v, payload)
			require.NoError(t, err)
			require.Equal(t, want, got, p)
		}
	}
	require.Equal(t, map[string]int{"psi4": 1, "embedded": 1, "missing": 1}, asked)

	v, err := store.EngineVersion(ctx, "embedded")
	require.NoError(t, err)
	require.Equal(t, "0.1.0", v)
	_, err = store.EngineVersion(ctx, "no-such-program")
	require.Error(t, err)
}
