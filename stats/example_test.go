package stats_test

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/qcmb-go/qcmb/stats"
)

// A counterpoise-corrected water trimer run on two workers. A driver would record
// time.Now() values; fixed times keep the output deterministic.
func Example() {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }

	rec := stats.NewRecorder()
	rec.BeginAt(t0)
	for _, task := range []struct {
		label      string
		level, wkr int
		start, end int // milliseconds after t0
	}{
		{`["mp2", [1], [1, 2, 3]]`, 1, 0, 0, 400},
		{`["mp2", [2], [1, 2, 3]]`, 1, 1, 0, 420},
		{`["mp2", [3], [1, 2, 3]]`, 1, 0, 400, 790},
		{`["mp2", [1, 2], [1, 2, 3]]`, 2, 1, 420, 1350},
		{`["mp2", [1, 3], [1, 2, 3]]`, 2, 0, 790, 1700},
		{`["mp2", [2, 3], [1, 2, 3]]`, 2, 1, 1350, 2300},
		{`["mp2", [1, 2, 3], [1, 2, 3]]`, 3, 0, 1700, 4200},
	} {
		rec.Add(stats.TaskRecord{Label: task.label, MC: "mp2", Level: task.level,
			Worker: task.wkr, Queued: t0, Start: ms(task.start), End: ms(task.end), Attempts: 1,
			// One thread each, busy 90% of the time (the rest waiting on disk, say).
			Threads: 1, CPU: ms(task.end).Sub(ms(task.start)) * 9 / 10})
	}
	rec.EndAt(ms(4250))

	report := rec.Report(2)
	if err := report.WriteText(os.Stdout); err != nil {
		panic(err)
	}

	report.Records = nil // compact JSON
	b, _ := json.Marshal(report)
	var fields map[string]any
	_ = json.Unmarshal(b, &fields)
	fmt.Printf("\nJSON: wall_seconds=%v speedup=%.3f p95 of level 2=%v s\n", fields["wall_seconds"],
		fields["speedup"], fields["levels"].([]any)[1].(map[string]any)["p95_seconds"])
	// Output:
	// Many-body run statistics
	//   tasks             7 (0 failed, 0 retries)
	//   workers           2
	//   wall time         4.25s
	//   serial baseline   6.5s (sum of task times)
	//   measured serial   not measured
	//   speedup           1.38 (estimate from CPU times / wall time)
	//   speedup basis     estimate: serial time 5.85s is the sum over tasks of min(duration, CPU time / threads) (CPU time measured for 7 of 7 computed tasks, duration used for the rest); it assumes each task alone runs as fast as its CPU time spread over its threads, so it leans low (the sum of the task durations, 6.5s, would give 1.53); measure with --sample-serial or --measure-serial
	//   efficiency        68.8% (speedup / workers)
	//   load imbalance    1.29 (max / mean worker busy time)
	//   longest task      ["mp2", [1, 2, 3], [1, 2, 3]] 2.5s (level 3, worker 0)
	//
	// Critical path (lower bound on wall time = max(longest task, work / workers))
	//  level  tasks       work    longest      bound       span  longest task
	//      1      3     1.089s      378ms    544.5ms      790ms  ["mp2", [2], [1, 2, 3]]
	//      2      3     2.511s      855ms     1.256s      1.88s  ["mp2", [2, 3], [1, 2, 3]]
	//      3      1      2.25s      2.25s      2.25s       2.5s  ["mp2", [1, 2, 3], [1, 2, 3]]
	//    all      7      5.85s      2.25s     2.925s       4.2s  ["mp2", [1, 2, 3], [1, 2, 3]]
	//   (work and longest use each task's estimated serial time; span is first start to last end)
	//
	// Worker time (idle = start-up + tail waiting for the last tasks + gaps between tasks)
	// worker       busy       idle   start-up       tail       gaps
	//      0       4.2s       50ms         0s       50ms         0s
	//      1       2.3s      1.95s         0s      1.95s         0s
	//    all       6.5s         2s         0s         2s         0s
	//
	// Predicted makespan (largest-first list scheduling of the estimated serial task times)
	//  workers   makespan      bound  speedup
	//        1      5.85s      5.85s     1.00
	//        2     2.979s     2.925s     1.96
	//        4      2.25s      2.25s     2.60
	//        8      2.25s      2.25s     2.60
	//       16      2.25s      2.25s     2.60
	//       32      2.25s      2.25s     2.60
	//       64      2.25s      2.25s     2.60
	//
	// Per n-body level
	//  level  count failed      total        min       mean        max        p50        p95
	//      1      3      0      1.21s      390ms    403.3ms      420ms      400ms      420ms
	//      2      3      0      2.79s      910ms      930ms      950ms      930ms      950ms
	//      3      1      0       2.5s       2.5s       2.5s       2.5s       2.5s       2.5s
	//
	// Per model chemistry
	// model chemistry  count failed      total        min       mean        max        p50        p95
	// mp2                  7      0       6.5s      390ms    928.6ms       2.5s      910ms       2.5s
	//
	// Workers
	// worker  tasks       busy    busy%
	//      0      4       4.2s    98.8%
	//      1      3       2.3s    54.1%
	//
	// Task durations (linear bins)
	//   [     390ms,    917.5ms)      4 ########################################
	//   [   917.5ms,     1.445s)      2 ####################
	//   [    1.445s,     1.973s)      0
	//   [    1.973s,       2.5s)      1 ##########
	//
	// JSON: wall_seconds=4.25 speedup=1.376 p95 of level 2=0.95 s
}

// How long would five tasks of 5, 4, 3, 3 and 3 minutes take on 1, 2 and 3 workers,
// started largest first?
func ExampleMakespan() {
	tasks := []time.Duration{5 * time.Minute, 4 * time.Minute, 3 * time.Minute, 3 * time.Minute, 3 * time.Minute}
	for _, workers := range []int{1, 2, 3} {
		fmt.Println(workers, stats.Makespan(tasks, workers))
	}
	// Output:
	// 1 18m0s
	// 2 10m0s
	// 3 7m0s
}

// Choose 4 of a trimer's tasks (three 1-body, three 2-body, one 3-body) for a sampled
// serial baseline: every level is measured, cheap and expensive tasks alike.
func ExampleSampleTasks() {
	levels := []int{1, 1, 1, 2, 2, 2, 3}
	costs := []float64{1, 1.2, 0.9, 8, 9, 7.5, 60}
	fmt.Println(stats.SampleTasks(levels, costs, 4))
	// Output:
	// [1 2 3 6]
}
