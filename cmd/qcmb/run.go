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
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run INPUT.json",
		Short: "Run a ManyBodyInput, write the ManyBodyResult and print timing statistics",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var in qcschema.ManyBodyInput
			if err := readJSON(cmd, args[0], &in); err != nil {
				return err
			}
			return runInput(cmd.Context(), &in, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
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
	return cmd
}

// newExecutor builds the executor the flags name.
func newExecutor(f runFlags) (executor.Executor, int, error) {
	opt := executor.Options{Timeout: f.timeout, Retries: f.retries, Backoff: 100 * time.Millisecond}
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

func runInput(ctx context.Context, in *qcschema.ManyBodyInput, f runFlags, stdout, stderr io.Writer) error {
	prep, err := computer.Prepare(in)
	if err != nil {
		return err
	}
	ex, workers, err := newExecutor(f)
	if err != nil {
		return err
	}
	rec := stats.NewRecorder()
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
