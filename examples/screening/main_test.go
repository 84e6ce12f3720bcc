package main

import (
	"bytes"
	"context"
	"math"
	"testing"
)

// The example's table: generous cutoffs approach the unscreened interaction energy with
// fewer tasks, and the most generous set is within 0.1 kcal/mol of it.
func TestScreeningExample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a few hundred HF/STO-3G single points")
	}
	var out bytes.Buffer
	rows, err := run(context.Background(), &out, 14, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	ref := rows[0]
	if !(ref.ie < 0) {
		t.Fatalf("unscreened interaction energy %v: water droplets bind", ref.ie)
	}
	last := rows[len(rows)-1]
	for i, r := range rows[1:] {
		if r.tasks > ref.tasks || (i > 0 && r.tasks < rows[i].tasks) {
			t.Errorf("cutoffs %v: %d tasks (previous %d, unscreened %d)", r.cutoffs, r.tasks, rows[i].tasks, ref.tasks)
		}
	}
	if err := math.Abs(last.ie-ref.ie) * kcalPerHartree; err > 0.1 {
		t.Errorf("most generous cutoffs %v: error %.3f kcal/mol", last.cutoffs, err)
	}
}
