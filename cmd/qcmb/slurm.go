package main

import (
	"errors"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/qcmb-go/qcmb/executor"
)

// slurmFlags are the flags of "qcmb run --executor slurm".
type slurmFlags struct {
	cpus         int
	mem          string
	partition    string
	account      string
	time         string
	srunArgs     []string
	startTimeout time.Duration
}

func addSlurmFlags(fl *pflag.FlagSet, f *slurmFlags) {
	fl.IntVar(&f.cpus, "cpus-per-worker", 1, "slurm: CPUs of each worker (srun --cpus-per-task)")
	fl.StringVar(&f.mem, "mem-per-worker", "", `slurm: memory of each worker, e.g. "4G" (default: its share of the allocation, or the cluster's default)`)
	fl.StringVar(&f.partition, "partition", "", "slurm: partition of the workers' jobs (outside an allocation)")
	fl.StringVar(&f.account, "account", "", "slurm: account of the workers' jobs (outside an allocation)")
	fl.StringVar(&f.time, "time", "", "slurm: time limit of each worker's job or step (srun --time)")
	fl.StringArrayVar(&f.srunArgs, "srun-arg", nil, "slurm: extra srun argument (repeatable), e.g. --srun-arg=--constraint=avx2")
	fl.DurationVar(&f.startTimeout, "worker-start-timeout", executor.DefaultSlurmStartTimeout,
		"slurm: give up on a worker not started (queue wait included) after this long (0: never)")
}

// given returns the name of a Slurm flag that was given, "" if none.
func (f *slurmFlags) given(changed func(string) bool) string {
	for _, name := range []string{"cpus-per-worker", "mem-per-worker", "partition", "account", "time", "srun-arg", "worker-start-timeout"} {
		if changed(name) {
			return name
		}
	}
	return ""
}

func (f *slurmFlags) executor(workers int, command []string, opt executor.Options) (*executor.Slurm, error) {
	if workers <= 0 && os.Getenv("SLURM_JOB_ID") == "" {
		return nil, errors.New("--executor slurm outside an allocation needs --workers N (one Slurm job per worker)")
	}
	timeout := f.startTimeout
	if timeout == 0 {
		timeout = -1 // no limit
	}
	return executor.NewSlurm(workers, executor.SlurmConfig{
		Command: command, CPUsPerWorker: f.cpus, MemPerWorker: f.mem,
		Partition: f.partition, Account: f.account, Time: f.time, SrunArgs: f.srunArgs,
		StartTimeout: timeout,
	}, opt)
}
