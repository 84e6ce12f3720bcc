package stats

import (
	"cmp"
	"slices"
)

// SampleTasks chooses up to n of the tasks, given by their n-body levels and estimated
// costs (indices into both), for a sampled serial baseline: the n picks are spread
// round-robin over the levels, lowest first, and within a level evenly over the tasks
// sorted by cost, so that cheap and expensive tasks are both measured. The indices are
// returned in increasing order.
func SampleTasks(levels []int, costs []float64, n int) []int {
	byLevel := map[int][]int{}
	for i, l := range levels {
		byLevel[l] = append(byLevel[l], i)
	}
	keys := make([]int, 0, len(byLevel))
	for l := range byLevel {
		keys = append(keys, l)
	}
	slices.Sort(keys)
	quota := map[int]int{}
	for left := min(n, len(levels)); left > 0; {
		for _, l := range keys {
			if left > 0 && quota[l] < len(byLevel[l]) {
				quota[l]++
				left--
			}
		}
	}
	var out []int
	for _, l := range keys {
		idx, k := byLevel[l], quota[l]
		if k == 0 {
			continue
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(costs[a], costs[b]) })
		m := len(idx)
		for j := range k {
			out = append(out, idx[(2*j+1)*m/(2*k)])
		}
	}
	slices.Sort(out)
	return out
}
