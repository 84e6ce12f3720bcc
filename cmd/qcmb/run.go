package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
	"github.com/qcmb-go/qcmb/stats"
)

type runFlags struct {
	executor      string
	workers       int
	output        string
	timeout       time.Duration
	retries       int
	workerCommand string
	measureSerial bool
	statsJSON     string
	progress      bool
	noCheck       bool
	store         string
	noStore       bool
	noResident    bool
	report        string
	sampleSerial  int
	slurm         slurmFlags
	changed       func(name string) bool // whether a flag was given
	inputs        []string               // the files read: no output may be one of them
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run INPUT.json",
		Short: "Run a ManyBodyInput, write the ManyBodyResult and print timing statistics",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := readManyBodyInput(inputsOf(cmd), args[0])
			if err != nil {
				return err
			}
			f.changed, f.inputs = cmd.Flags().Changed, args
			return runInput(cmd.Context(), in, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addRunFlags(cmd, &f, "write the ManyBodyResult here instead of standard output")
	return cmd
}

// addRunFlags adds the flags of a command that runs fragment calculations (qcmb run, qcmb
// lattice): executor, workers, result store, statistics, report, time limits. output says
// what -o writes.
func addRunFlags(cmd *cobra.Command, f *runFlags, output string) {
	fl := cmd.Flags()
	fl.StringVar(&f.executor, "executor", "pool", "serial, pool, subprocess or slurm")
	fl.IntVar(&f.workers, "workers", 0, "number of workers (default: number of CPUs)")
	fl.StringVarP(&f.output, "output", "o", "", output)
	fl.DurationVar(&f.timeout, "timeout", 0, "per-task time limit (0: none)")
	fl.IntVar(&f.retries, "retries", 1, "extra attempts for tasks that fail transiently")
	fl.StringVar(&f.workerCommand, "worker-command", "", `worker command of the subprocess and slurm executors (default: this program's "worker"); slurm starts it with srun`)
	fl.BoolVar(&f.measureSerial, "measure-serial", false, "also run every task serially first and report speedup against that measured run")
	fl.StringVar(&f.statsJSON, "stats-json", "", "write the timing statistics as JSON to this file")
	fl.BoolVar(&f.progress, "progress", true, "show a progress bar when standard error is a terminal")
	fl.BoolVar(&f.noCheck, "no-check", false, "do not ask the programs, before any task runs, whether they are available and can compute what is asked (for workers whose machines have programs this one lacks)")
	fl.StringVar(&f.store, "store", defaultStorePath(), "keep every finished task in this result store; rerunning the same command computes only what is missing")
	fl.BoolVar(&f.noStore, "no-store", false, "keep no results: no store is read or written")
	cmd.MarkFlagsMutuallyExclusive("store", "no-store")
	fl.BoolVar(&f.noResident, "no-resident", false, "run Psi4 and QCEngine in a process per task instead of in processes each worker keeps between tasks")
	fl.StringVar(&f.report, "report", "", "write an HTML report with figures of the run's timing to this file")
	fl.IntVar(&f.sampleSerial, "sample-serial", 0, "after the run, rerun this many tasks (spread over the n-body levels) serially and report speedup against the serial time they extrapolate to")
	addSlurmFlags(fl, &f.slurm)
}

// check refuses, before any work, flag values that mean nothing.
func (f runFlags) check() error {
	given := f.changed
	if given == nil { // not from the command line: no flag was given
		given = func(string) bool { return false }
	}
	switch {
	case f.workers < 0:
		return fmt.Errorf("--workers %d: want a number of workers (0: one per CPU)", f.workers)
	case f.retries < 0:
		return fmt.Errorf("--retries %d: want a number of extra attempts (0: none)", f.retries)
	case f.timeout < 0:
		return fmt.Errorf("--timeout %v: want a time limit per task (0: none)", f.timeout)
	case f.sampleSerial < 0:
		return fmt.Errorf("--sample-serial %d: want a number of tasks (0: none)", f.sampleSerial)
	case f.slurm.cpus < 1 && given("cpus-per-worker"):
		return fmt.Errorf("--cpus-per-worker %d: want at least 1", f.slurm.cpus)
	case f.slurm.startTimeout < 0:
		return fmt.Errorf("--worker-start-timeout %v: want a time (0: no limit)", f.slurm.startTimeout)
	}
	return nil
}

// newExecutor builds the executor the flags name. Flags that make no sense for it are
// errors rather than ignored.
func newExecutor(f runFlags, opt executor.Options) (executor.Executor, int, error) {
	opt.Timeout, opt.Retries, opt.Backoff = f.timeout, f.retries, 100*time.Millisecond
	opt.NoResident = f.noResident
	workers := f.workers
	if f.changed == nil { // not from the command line: no flag was given
		f.changed = func(string) bool { return false }
	}
	if f.executor != "slurm" {
		if name := f.slurm.given(f.changed); name != "" {
			return nil, 0, fmt.Errorf("--%s applies to --executor slurm only, not %s", name, f.executor)
		}
	}
	if (f.executor == "serial" || f.executor == "pool") && f.workerCommand != "" {
		return nil, 0, fmt.Errorf("--worker-command applies to --executor subprocess or slurm only: the %s executor runs tasks in this process", f.executor)
	}
	switch f.executor {
	case "serial":
		return executor.NewSerial(opt), 1, nil
	case "pool":
		p := executor.NewPool(workers, opt)
		return p, p.Workers(), nil
	case "subprocess":
		command, err := workerCommand(f.workerCommand)
		if err != nil {
			return nil, 0, err
		}
		s := executor.NewSubprocess(workers, command, opt)
		return s, s.Workers(), nil
	case "slurm":
		command, err := workerCommand(f.workerCommand)
		if err != nil {
			return nil, 0, err
		}
		s, err := f.slurm.executor(workers, command, opt)
		if err != nil {
			return nil, 0, err
		}
		return s, s.Workers(), nil
	}
	return nil, 0, fmt.Errorf("--executor %q: want serial, pool, subprocess or slurm", f.executor)
}

func workerCommand(flag string) ([]string, error) {
	if flag != "" {
		return strings.Fields(flag), nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this program for the worker command: %w", err)
	}
	return []string{self, "worker"}, nil
}

func runInput(ctx context.Context, in manyBodyInput, f runFlags, stdout, stderr io.Writer) error {
	prep, err := computer.Prepare(in.v1)
	if err != nil {
		return err
	}
	var res *qcschema.ManyBodyResult
	return runBatch(ctx, f, stdout, stderr,
		func(ctx context.Context, comp *computer.Computer) (err error) {
			res, err = comp.Run(ctx, prep)
			return err
		},
		func(reportTo io.Writer, report *stats.Report) error {
			if err := writeResult(f.output, stdout, in.result(res)); err != nil {
				return err
			}
			if res.Stdout != nil {
				fmt.Fprintln(reportTo, *res.Stdout)
			}
			return report.WriteText(reportTo)
		})
}

// writeResult writes a result document to path, or to stdout when path is "".
func writeResult(path string, stdout io.Writer, doc any) error {
	if path != "" {
		return outfile.WriteFile(path, doc)
	}
	return outfile.WriteJSON(stdout, doc)
}

// runBatch is what every command that runs fragment calculations shares: it checks the
// output paths, opens the result store, builds and starts the executor the flags name,
// runs run with a Computer that keeps results, statistics and the progress bar of the
// tasks it releases (and first on a serial Computer for --measure-serial), samples serial
// times, writes the statistics and the report, and then calls done with where the text
// report goes (standard error, or standard output when -o takes the result). A failed run
// prints what finished and returns the error with how to resume.
func runBatch(ctx context.Context, f runFlags, stdout, stderr io.Writer,
	run func(ctx context.Context, comp *computer.Computer) error,
	done func(reportTo io.Writer, report *stats.Report) error) (err error) {
	if f.changed == nil {
		f.changed = func(string) bool { return false }
	}
	if err := f.check(); err != nil {
		return err
	}
	if err := checkOutputs(runOutputs(f), f.inputs, f.storePath()); err != nil {
		return err
	}
	comp := &computer.Computer{SkipCheck: f.noCheck}
	if !f.noStore {
		results, err := openRunStore(ctx, f.store)
		if err != nil {
			return err
		}
		defer results.Close()
		comp.Store = results
	}
	bar := newProgress(f, stderr)
	rec := stats.NewRecorder()
	inflight := &running{}
	ex, workers, stop, err := startExecutor(ctx, f, bar, rec, inflight)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stop()) }()
	if f.measureSerial {
		start := time.Now()
		serial := &computer.Computer{Executor: executor.NewSerial(executor.Options{Timeout: f.timeout, NoResident: f.noResident}), SkipCheck: f.noCheck}
		if err := run(ctx, serial); err != nil {
			return fmt.Errorf("measured serial run: %w", err)
		}
		rec.SetMeasuredSerial(time.Since(start))
	}
	var batch computer.Batch // the tasks the run released
	comp.Executor, comp.Stats = ex, rec
	comp.Progress = func(done, total int, o executor.Outcome) {
		inflight.finished(o)
		bar.finished(done, total, o)
	}
	comp.Released = func(first int, added computer.Batch, bound int, exact bool) {
		batch.Tasks = append(batch.Tasks, added.Tasks...)
		batch.MC, batch.Level = append(batch.MC, added.MC...), append(batch.Level, added.Level...)
		bar.released(first, added.Tasks, bound, exact)
	}
	bar.begin(workers)
	runErr := run(ctx, comp)
	bar.close()
	if runErr != nil && ctx.Err() != nil {
		inflight.record(rec, batch, time.Now())
	}
	var sampleErr error
	if f.sampleSerial > 0 && runErr == nil {
		sampleErr = sampleSerial(ctx, batch, rec, f)
	}
	if n := len(batch.Tasks); n > 0 {
		workers = min(workers, n) // no more are started
	}
	report := rec.Report(workers)
	reportTo := stderr
	if f.output != "" {
		reportTo = stdout
	}
	if runErr != nil {
		return errors.Join(runFailed(runErr, f, len(batch.Tasks), report, reportTo), writeRunStats(f, report))
	}
	// The result first: whatever happens to the statistics or the report, it is kept.
	return errors.Join(done(reportTo, report), sampleErr, writeRunStats(f, report))
}

// startExecutor builds the executor the flags name, reporting its workers to rec and its
// tasks to bar and inflight, and starts its workers if it keeps them. Workers (and Slurm
// jobs) are started before any serial measurement, so that their queue wait overlaps it; stop ends
// them however the run ends (ctx is cancelled by SIGINT and SIGTERM, after which it still
// cancels and waits for every job).
func startExecutor(ctx context.Context, f runFlags, bar *progress, rec *stats.Recorder, inflight *running) (ex executor.Executor, workers int, stop func() error, err error) {
	opt := executor.Options{OnStart: bar.started, OnStartWorker: inflight.started, OnWorker: func(ev executor.WorkerEvent) {
		if ev.Err == nil {
			rec.AddWorker(stats.WorkerRecord{Worker: ev.Worker, Program: ev.Program, Requested: ev.Requested, Ready: ev.Ready, Host: ev.Host})
		}
	}}
	if ex, workers, err = newExecutor(f, opt); err != nil {
		return nil, 0, nil, err
	}
	s, ok := ex.(executor.Starter)
	if !ok {
		return ex, workers, func() error { return nil }, nil
	}
	if err := s.Start(ctx); err != nil {
		return nil, 0, nil, err
	}
	return ex, workers, s.Close, nil
}

// storePath is the result store the flags name, "" for none.
func (f runFlags) storePath() string {
	if f.noStore {
		return ""
	}
	return f.store
}

// runOutputs are the files a run writes, with the flags that name them.
func runOutputs(f runFlags) []outfile.Named {
	return []outfile.Named{{Label: "-o", Path: f.output}, {Label: "--stats-json", Path: f.statsJSON}, {Label: "--report", Path: f.report}}
}

// writeRunStats writes the HTML report and the statistics JSON the flags ask for; a
// failure of one does not keep the other from being written.
func writeRunStats(f runFlags, report *stats.Report) error {
	var errs []error
	if f.report != "" {
		errs = append(errs, writeHTMLReport(f.report, report))
	}
	if f.statsJSON != "" {
		errs = append(errs, outfile.WriteFile(f.statsJSON, report))
	}
	return errors.Join(errs...)
}

// runFailed reports a run that failed or was interrupted, and returns its error with what
// was kept and how to resume.
func runFailed(runErr error, f runFlags, tasks int, report *stats.Report, w io.Writer) error {
	var re *computer.RunError
	if errors.As(runErr, &re) {
		fmt.Fprintf(w, "%d tasks finished, %d failed\n", len(re.Completed), len(re.Failed))
	}
	_ = report.WriteText(w)
	return withResumeHint(runErr, tasks, f.storePath())
}

// sampleSerial reruns a sample of the tasks the run computed serially, spread over the
// n-body levels, and records their times. Tasks answered from the result store took no
// time in the run, so the sample is drawn from the others; where every task was reused
// there is nothing to compare with and nothing is rerun.
func sampleSerial(ctx context.Context, batch computer.Batch, rec *stats.Recorder, f runFlags) error {
	batch = computedTasks(batch, rec)
	pick := stats.SampleTasks(batch.Level, costs(batch.Tasks), f.sampleSerial)
	tasks := make([]executor.Task, len(pick))
	for k, i := range pick {
		tasks[k] = batch.Tasks[i]
	}
	serial := executor.NewSerial(executor.Options{Timeout: f.timeout, NoResident: f.noResident})
	err := serial.Execute(ctx, tasks, func(o executor.Outcome) {
		if o.Err == nil {
			rec.AddSerialSample(o.ID, o.End.Sub(o.Start))
		}
	})
	if err != nil {
		return fmt.Errorf("serial sample: %w", err)
	}
	return nil
}

// computedTasks is the part of batch that the run computed, as rec recorded it: without
// the tasks reused from the result store.
func computedTasks(batch computer.Batch, rec *stats.Recorder) computer.Batch {
	computed := map[string]bool{}
	for _, r := range rec.Report(0).Records { // reused tasks are not among the records
		computed[r.Label] = true
	}
	var out computer.Batch
	for i, t := range batch.Tasks {
		if computed[t.ID] {
			out.Tasks = append(out.Tasks, t)
			out.MC, out.Level = append(out.MC, batch.MC[i]), append(out.Level, batch.Level[i])
		}
	}
	return out
}

func costs(tasks []executor.Task) []float64 {
	out := make([]float64, len(tasks))
	for i, t := range tasks {
		out[i] = t.Cost
	}
	return out
}
