package main

import (
	"bytes"
	"context"
	"math"
	"testing"
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
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	ref := rows[0]
	for i, r := range rows[1:] {
		prev := rows[i]
		if r.trimers > prev.trimers || r.tetramers > prev.tetramers || r.tasks > prev.tasks {
			t.Errorf("threshold %g: %d trimers, %d tetramers, %d tasks; more than at a lower threshold (%d, %d, %d)",
				r.threshold, r.trimers, r.tetramers, r.tasks, prev.trimers, prev.tetramers, prev.tasks)
		}
	}
	if last := rows[len(rows)-1]; last.tasks >= ref.tasks {
		t.Errorf("the highest threshold computes all %d tasks", ref.tasks)
	}
	if err := math.Abs(rows[1].energy-ref.energy) * kcalPerHartree / waters; err > 0.01 {
		t.Errorf("threshold %g: error %.4f kcal/mol per monomer", rows[1].threshold, err)
	}
}
