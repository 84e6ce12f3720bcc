package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/qcmb-go/qcmb/executor"
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
	slurm         slurmFlags
	changed       func(name string) bool // whether a flag was given
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run INPUT.json",
		Short: "Run a ManyBodyInput, write the ManyBodyResult and print timing statistics",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in qcschema.ManyBodyInput
			if err := readJSON(args[0], &in); err != nil {
				return err
			}
			f.changed = cmd.Flags().Changed
			return runInput(cmd.Context(), &in, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.executor, "executor", "pool", "serial, pool, subprocess or slurm")
	fl.IntVar(&f.workers, "workers", 0, "number of workers (default: number of CPUs)")
	fl.StringVarP(&f.output, "output", "o", "", "write the ManyBodyResult here instead of standard output")
	fl.DurationVar(&f.timeout, "timeout", 0, "per-task time limit (0: none)")
	fl.IntVar(&f.retries, "retries", 1, "extra attempts for tasks that fail transiently")
	fl.StringVar(&f.workerCommand, "worker-command", "", `worker command of the subprocess and slurm executors (default: this program's "worker"); slurm starts it with srun`)
	fl.BoolVar(&f.measureSerial, "measure-serial", false, "also run every task serially first and report speedup against that measured run")
	fl.StringVar(&f.statsJSON, "stats-json", "", "write the timing statistics as JSON to this file")
	fl.BoolVar(&f.progress, "progress", true, "show a progress bar when standard error is a terminal")
	addSlurmFlags(fl, &f.slurm)
	return cmd
}

// newExecutor builds the executor the flags name. Flags that make no sense for it are
// errors rather than ignored.
func newExecutor(f runFlags, opt executor.Options) (executor.Executor, int, error) {
	opt.Timeout, opt.Retries, opt.Backoff = f.timeout, f.retries, 100*time.Millisecond
	workers := f.workers
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

func runInput(ctx context.Context, in *qcschema.ManyBodyInput, f runFlags, stdout, stderr io.Writer) (err error) {
	if f.changed == nil {
		f.changed = func(string) bool { return false }
	}
	prep, err := computer.Prepare(in)
	if err != nil {
		return err
	}
	rec := stats.NewRecorder()
	opt := executor.Options{OnWorker: func(ev executor.WorkerEvent) {
		if ev.Err == nil {
			rec.AddWorker(stats.WorkerRecord{Worker: ev.Worker, Requested: ev.Requested, Ready: ev.Ready, Host: ev.Host})
		}
	}}
	ex, workers, err := newExecutor(f, opt)
	if err != nil {
		return err
	}
	// Workers (and Slurm jobs) are started before the serial measurement, so that their
	// queue wait overlaps it, and stopped however the run ends: ctx is cancelled by SIGINT
	// and SIGTERM, after which Close still cancels and waits for every job.
	if s, ok := ex.(executor.Starter); ok {
		if err := s.Start(ctx); err != nil {
			return err
		}
		defer func() {
			if cerr := s.Close(); cerr != nil {
				err = errors.Join(err, cerr)
			}
		}()
	}
	if f.measureSerial {
		start := time.Now()
		serial := &computer.Computer{Executor: executor.NewSerial(executor.Options{Timeout: f.timeout})}
		if _, err := serial.Run(ctx, prep); err != nil {
			return fmt.Errorf("measured serial run: %w", err)
		}
		rec.SetMeasuredSerial(time.Since(start))
	}
	comp := &computer.Computer{Executor: ex, Stats: rec}
	if bar := newBar(f, len(prep.Tasks), stderr); bar != nil {
		comp.Progress = func(done, total int, o executor.Outcome) { _ = bar.Set(done) }
		defer bar.Close()
	}
	res, runErr := comp.Run(ctx, prep)
	report := rec.Report(workers)
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
		return runErr
	}
	if res.Stdout != nil {
		fmt.Fprintln(reportTo, *res.Stdout)
	}
	if err := report.WriteText(reportTo); err != nil {
		return err
	}
	if f.output != "" {
		return writeFile(f.output, res)
	}
	return writeJSON(stdout, res)
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

// newBar returns a progress bar on a terminal standard error, nil otherwise.
func newBar(f runFlags, total int, stderr io.Writer) *progressbar.ProgressBar {
	fh, ok := stderr.(*os.File)
	if !f.progress || !ok || !term.IsTerminal(int(fh.Fd())) {
		return nil
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("fragments"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)
}
