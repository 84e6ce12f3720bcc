package main

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The example's table: higher thresholds compute fewer trimers, tetramers and tasks; the
// lowest stays within 0.01 kcal/mol per monomer of the full MBE-4.
func TestAdaptiveExample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a hundred HF/STO-3G single points")
	}
	var out bytes.Buffer
	const waters = 6
	rows, err := run(context.Background(), &out, waters, 2)
	require.NoError(t, err)
	t.Log("\n" + out.String())
	ref := rows[0]
	for i, r := range rows[1:] {
		prev := rows[i]
		assert.LessOrEqual(t, r.trimers, prev.trimers, "threshold %g: trimers, more than at a lower threshold", r.threshold)
		assert.LessOrEqual(t, r.tetramers, prev.tetramers, "threshold %g: tetramers, more than at a lower threshold", r.threshold)
		assert.LessOrEqual(t, r.tasks, prev.tasks, "threshold %g: tasks, more than at a lower threshold", r.threshold)
	}
	assert.Less(t, rows[len(rows)-1].tasks, ref.tasks, "the highest threshold computes all tasks")
	assert.LessOrEqual(t, math.Abs(rows[1].energy-ref.energy)*kcalPerHartree/waters, 0.01,
		"threshold %g: error in kcal/mol per monomer", rows[1].threshold)
}
