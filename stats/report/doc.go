// Package report draws the timing statistics of a many-body run (a stats.Report) as
// pictures: a timeline of every task on every worker coloured by n-body level (a Gantt
// chart), task-duration histograms per level, the task time per level and per model
// chemistry, and the speedup predicted for 1 to 64 workers with this run's point marked.
//
// WriteHTML writes one self-contained HTML page, the figures inline as SVG next to the
// summary tables, that opens without a network; WriteFiles writes the figures as SVG or
// PNG files. The charts are drawn with gonum.org/v1/plot; Figures returns them for other
// uses.
package report
