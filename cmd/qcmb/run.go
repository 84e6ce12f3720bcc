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
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/manybody/computer"
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
	report        string
	sampleSerial  int
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run INPUT.json",
		Short: "Run a ManyBodyInput, write the ManyBodyResult and print timing statistics",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, err := readManyBodyInput(args[0])
			if err != nil {
				return err
			}
			return runInput(cmd.Context(), in, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.executor, "executor", "pool", "serial, pool or subprocess")
	fl.IntVar(&f.workers, "workers", 0, "number of workers (default: number of CPUs)")
	fl.StringVarP(&f.output, "output", "o", "", "write the ManyBodyResult here instead of standard output")
	fl.DurationVar(&f.timeout, "timeout", 0, "per-task time limit (0: none)")
	fl.IntVar(&f.retries, "retries", 1, "extra attempts for tasks that fail transiently")
	fl.StringVar(&f.workerCommand, "worker-command", "", `worker command of the subprocess executor (default: this program's "worker"), e.g. "srun -n1 qcmb worker"`)
	fl.BoolVar(&f.measureSerial, "measure-serial", false, "also run every task serially first and report speedup against that measured run")
	fl.StringVar(&f.statsJSON, "stats-json", "", "write the timing statistics as JSON to this file")
	fl.BoolVar(&f.progress, "progress", true, "show a progress bar when standard error is a terminal")
	fl.BoolVar(&f.noCheck, "no-check", false, "do not ask the programs, before any task runs, whether they are available and can compute what is asked (for workers whose machines have programs this one lacks)")
	fl.StringVar(&f.store, "store", defaultStorePath(), "keep every finished task in this result store; rerunning the same command computes only what is missing")
	fl.BoolVar(&f.noStore, "no-store", false, "keep no results: no store is read or written")
	cmd.MarkFlagsMutuallyExclusive("store", "no-store")
	fl.StringVar(&f.report, "report", "", "write an HTML report with figures of the run's timing to this file")
	fl.IntVar(&f.sampleSerial, "sample-serial", 0, "after the run, rerun this many tasks (spread over the n-body levels) serially and report speedup against the serial time they extrapolate to")
	return cmd
}

// newExecutor builds the executor the flags name.
func newExecutor(f runFlags, onStart func(int)) (executor.Executor, int, error) {
	opt := executor.Options{Timeout: f.timeout, Retries: f.retries, Backoff: 100 * time.Millisecond, OnStart: onStart}
	workers := f.workers
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
	}
	return nil, 0, fmt.Errorf("--executor %q: want serial, pool or subprocess", f.executor)
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
	for _, out := range []struct{ flag, path string }{{"-o", f.output}, {"--stats-json", f.statsJSON}} {
		if err := checkOutputPath(out.flag, out.path); err != nil {
			return err
		}
	}
	var results *store.SQLite
	if !f.noStore {
		if results, err = openRunStore(ctx, f.store); err != nil {
			return err
		}
		defer results.Close()
	}
	bar := newProgress(f, prep.Tasks, stderr)
	ex, workers, err := newExecutor(f, bar.started)
	if err != nil {
		return err
	}
	rec := stats.NewRecorder()
	if f.measureSerial {
		start := time.Now()
		serial := &computer.Computer{Executor: executor.NewSerial(executor.Options{Timeout: f.timeout}), SkipCheck: f.noCheck}
		if _, err := serial.Run(ctx, prep); err != nil {
			return fmt.Errorf("measured serial run: %w", err)
		}
		rec.SetMeasuredSerial(time.Since(start))
	}
	comp := &computer.Computer{Executor: ex, Stats: rec, SkipCheck: f.noCheck, Progress: bar.finished}
	if results != nil {
		comp.Store = results
	}
	bar.begin(workers)
	res, runErr := comp.Run(ctx, prep)
	bar.close()
	if f.sampleSerial > 0 && runErr == nil {
		if err := sampleSerial(ctx, prep, rec, f); err != nil {
			return err
		}
	}
	report := rec.Report(workers)
	if f.report != "" {
		if err := writeHTMLReport(f.report, report); err != nil {
			return err
		}
	}
	if f.statsJSON != "" {
		if err := writeFile(f.statsJSON, report); err != nil {
			return err
		}
	}
	reportTo := stderr
	if f.output != "" {
		reportTo = stdout
	}
	if runErr != nil {
		var re *computer.RunError
		if errors.As(runErr, &re) {
			fmt.Fprintf(reportTo, "%d tasks finished, %d failed\n", len(re.Completed), len(re.Failed))
		}
		_ = report.WriteText(reportTo)
		storePath := f.store
		if f.noStore {
			storePath = ""
		}
		return withResumeHint(runErr, len(prep.Tasks), storePath)
	}
	if res.Stdout != nil {
		fmt.Fprintln(reportTo, *res.Stdout)
	}
	if err := report.WriteText(reportTo); err != nil {
		return err
	}
	if f.output != "" {
		return writeFile(f.output, in.result(res))
	}
	return writeJSON(stdout, in.result(res))
}

func writeFile(path string, v any) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeJSON(fh, v); err != nil {
		fh.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return fh.Close()
}

// sampleSerial reruns a sample of the tasks serially, spread over the n-body levels, and
// records their times.
func sampleSerial(ctx context.Context, prep *computer.Prepared, rec *stats.Recorder, f runFlags) error {
	levels := make([]int, len(prep.Tasks))
	for i, t := range prep.Plan.Tasks {
		levels[i] = t.Level
	}
	pick := stats.SampleTasks(levels, costs(prep.Tasks), f.sampleSerial)
	tasks := make([]executor.Task, len(pick))
	for k, i := range pick {
		tasks[k] = prep.Tasks[i]
	}
	serial := executor.NewSerial(executor.Options{Timeout: f.timeout})
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

func costs(tasks []executor.Task) []float64 {
	out := make([]float64, len(tasks))
	for i, t := range tasks {
		out[i] = t.Cost
	}
	return out
}
