package stats

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tasks answered from a result store are counted apart and leave the timing statistics
// as if only the computed tasks had been recorded.
func TestReusedTasks(t *testing.T) {
	computed := recordsOf(secs(1, 2, 3)...)
	computed[2].Error = "SCF did not converge"
	cases := []struct {
		name                               string
		reused                             int
		wantTasks, wantReused, wantCompute int
	}{
		{"nothing reused", 0, 3, 0, 2},
		{"some reused", 4, 3, 4, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			recs := append([]TaskRecord{}, computed...)
			for i := range c.reused {
				recs = append(recs, TaskRecord{Label: string(rune('a' + i)), MC: "mc", Level: 2, Reused: true})
			}
			rep := report(recs, at(0), at(6*time.Second), 0, 1)
			plain := report(computed, at(0), at(6*time.Second), 0, 1)
			assert.Equal(t, c.wantTasks, rep.Tasks)
			assert.Equal(t, c.wantReused, rep.Reused)
			assert.Equal(t, c.wantCompute, rep.Computed)
			assert.Equal(t, 1, rep.Failed)
			assert.Equal(t, 6*time.Second, rep.SerialBaseline)
			assert.InDelta(t, 1.0, rep.Speedup, 1e-12)
			rep.Reused, plain.Reused = 0, 0
			assert.Equal(t, plain, rep, "timing statistics without the reused tasks")

			b, err := json.Marshal(report(recs, at(0), at(6*time.Second), 0, 1))
			require.NoError(t, err)
			assert.Contains(t, string(b), `"tasks_reused":`+string(rune('0'+c.reused))+`,"tasks_computed":2,`)
			var back Report
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, c.wantReused, back.Reused)

			text := report(recs, at(0), at(6*time.Second), 0, 1).String()
			assert.Equal(t, c.reused > 0, strings.Contains(text, "tasks reused"), text)
		})
	}
}

// A run whose every task was reused ran nothing: no speedup and no advice to measure one.
func TestAllTasksReused(t *testing.T) {
	var recs []TaskRecord
	for i := range 5 {
		recs = append(recs, TaskRecord{Label: string(rune('a' + i)), MC: "mc", Level: 1, Reused: true})
	}
	rep := report(recs, at(0), at(20*time.Millisecond), 0, 2)
	assert.Equal(t, 0, rep.Tasks)
	assert.Equal(t, 5, rep.Reused)
	assert.Zero(t, rep.Speedup)
	assert.Equal(t, "all 5 tasks reused from the store: none ran, so there is no speedup to measure", rep.SpeedupBasis)
	text := rep.String()
	assert.Contains(t, text, "speedup           none: all 5 tasks reused from the store\n")
	assert.NotContains(t, text, "speedup           0.00")
	assert.NotContains(t, text, "--sample-serial")
}
