package main

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The example's table: generous cutoffs approach the unscreened interaction energy with
// fewer tasks, and the most generous set is within 0.1 kcal/mol of it.
func TestScreeningExample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a few hundred HF/STO-3G single points")
	}
	var out bytes.Buffer
	rows, err := run(context.Background(), &out, 14, 2)
	require.NoError(t, err)
	t.Log("\n" + out.String())
	ref := rows[0]
	require.Less(t, ref.ie, 0.0, "unscreened interaction energy: water droplets bind")
	last := rows[len(rows)-1]
	for i, r := range rows[1:] {
		assert.LessOrEqual(t, r.tasks, ref.tasks, "cutoffs %v: tasks, more than unscreened", r.cutoffs)
		if i > 0 {
			assert.GreaterOrEqual(t, r.tasks, rows[i].tasks, "cutoffs %v: tasks, fewer than with the previous cutoffs", r.cutoffs)
		}
	}
	assert.LessOrEqual(t, math.Abs(last.ie-ref.ie)*kcalPerHartree, 0.1, "most generous cutoffs %v: error in kcal/mol", last.cutoffs)
}
