// Package stats records the timing of a many-body run and summarises it.
//
// A driver creates a Recorder, marks the wall-clock span with Begin and End, and adds one
// TaskRecord per fragment calculation (from any goroutine). Recorder.Report then computes
// a Report:
//
//   - wall time, number of tasks, failures and retries;
//   - the serial baseline, the sum of the task durations; the serial estimate, the sum
//     over tasks of min(duration, CPU time / threads) (TaskRecord.CPU, Threads); optionally
//     a separately measured serial run time (Recorder.SetMeasuredSerial) and a sampled
//     serial baseline (Recorder.AddSerialSample, chosen with SampleTasks);
//   - speedup = reference / wall time, where the reference is, in this order of
//     preference, the measured serial time, the sampled serial time extrapolated per
//     level, the serial estimate when CPU times were recorded, or the serial baseline;
//     Report.SpeedupBasis says which in a sentence. Efficiency = speedup / workers;
//   - the critical path of the run and of each level (longest task and the lower bound
//     max(longest, work / workers)), each worker's idle time by cause (start-up, from
//     WorkerRecords when recorded; tail; gaps) and the makespans largest-first list
//     scheduling (Makespan) predicts on 1 to 64 workers. Tasks answered from a store
//     (TaskRecord.Reused) are left out of these;
//   - load imbalance = the largest worker busy time / the mean worker busy time, counting
//     workers that ran nothing as idle;
//   - the longest task;
//   - per n-body level and per model chemistry: count, failures, total, min, mean, max,
//     and the 50th and 95th percentiles of the task durations;
//   - a duration histogram.
//
// Means, quantiles and the histogram are computed with gonum.org/v1/gonum/stat. Quantiles
// are stat.Empirical quantiles of the sorted durations: Pp is the smallest duration q for
// which at least the fraction p of the durations are ≤ q (for n tasks, the ⌈p·n⌉-th
// smallest), so P50 and P95 are always durations that were actually measured. Histogram
// bins are log-spaced when the durations span at least a factor of ten (typical of
// many-body runs, where a trimer costs orders of magnitude more than a monomer) and of equal
// width otherwise; Report.Histogram documents the details.
//
// Every task record counts in every statistic, failed ones included: the time was spent
// either way. Quantities that are undefined for the data (speedup with zero wall time,
// efficiency with no workers, imbalance with no busy time) are reported as 0, never NaN or
// Inf, so an empty run, a single task or a run in which every task failed all give a
// well-formed Report.
//
// Report.WriteText prints a fixed-width report for people; Report's MarshalJSON writes
// durations as float seconds under names ending in _seconds (wall_seconds,
// serial_baseline_seconds, p95_seconds, ...), and UnmarshalJSON reads them back to the
// nearest nanosecond.
package stats
