package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/executor/store/sqlite"
	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/manybody/components"
	"github.com/qcmb-go/qcmb/manybody/computer"
)

// defaultStorePath is where "qcmb run" keeps results unless told otherwise: the file the
// environment variable QCMB_STORE names, else .qcmb/results.db in the working directory.
func defaultStorePath() string {
	if p := os.Getenv("QCMB_STORE"); p != "" {
		return p
	}
	return ".qcmb/results.db"
}

// openRunStore opens (creating it and its directory if needed) the store a run keeps its
// results in.
func openRunStore(ctx context.Context, path string) (*sqlite.Store, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("result store: %w", err)
		}
	}
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("%w (choose another file with --store FILE, or run without one with --no-store)", err)
	}
	return s, nil
}

// openExistingStore opens a store that must exist already, for reading only (it may be
// on read-only media, or in use by a run).
func openExistingStore(ctx context.Context, path string) (*sqlite.Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("result store %s: %w", path, err)
	}
	return sqlite.OpenReadOnly(ctx, path)
}

// withResumeHint adds to the error of a run that failed or was interrupted what was
// kept and how to resume. The failed tasks and their errors are in runErr already.
func withResumeHint(runErr error, total int, storePath string) error {
	var re *computer.RunError
	if !errors.As(runErr, &re) {
		return runErr
	}
	var b strings.Builder
	if errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded) {
		fmt.Fprintf(&b, "interrupted: %d of %d tasks finished, %d failed, %d not run\n",
			len(re.Completed), total, len(re.Failed), total-len(re.Completed)-len(re.Failed))
	}
	switch {
	case storePath == "":
		b.WriteString("nothing was kept (--no-store); run without --no-store to keep finished results for a rerun")
	case errors.Is(runErr, store.ErrCorrupt):
		fmt.Fprintf(&b, "the result store %s is damaged and was left as it is; run with another --store FILE or with --no-store", storePath)
	case errors.Is(runErr, store.ErrReadOnly):
		fmt.Fprintf(&b, "the result store %s cannot be written (read-only media or permissions); what it holds was used: run with a writable copy (--store FILE) to keep new results, or with --no-store", storePath)
	case errors.Is(runErr, store.ErrFull):
		fmt.Fprintf(&b, "the result store %s is full; what it holds is intact: free some space, then run the same command again to compute only what is missing:\n  %s",
			storePath, shellCommand(os.Args))
	default:
		then := "run the same command again"
		if len(re.Failed) > 0 {
			then = "once what made tasks fail is fixed, run the same command again"
		}
		fmt.Fprintf(&b, "%d finished results are kept in %s; %s to compute only what is missing:\n  %s",
			len(re.Completed), storePath, then, shellCommand(os.Args))
	}
	return fmt.Errorf("%w\n%s", runErr, b.String())
}

// shellCommand quotes args for a POSIX shell.
func shellCommand(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
		}) < 0 {
			out[i] = a
			continue
		}
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(out, " ")
}

func newStoreCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Inspect a result store: what it holds for an input, and its finished components",
	}
	var path string
	cmd.PersistentFlags().StringVar(&path, "store", defaultStorePath(), "the result store file")
	var asJSON bool
	show := &cobra.Command{
		Use:   "show INPUT.json",
		Short: "List the tasks of INPUT.json as done, failed (with the error) or missing in the store, and its runs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := storeStatus(cmd.Context(), inputsOf(cmd), path, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return outfile.WriteJSON(cmd.OutOrStdout(), st)
			}
			return st.writeText(cmd.OutOrStdout())
		},
	}
	show.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	var output string
	export := &cobra.Command{
		Use:   "export INPUT.json",
		Short: "Write the finished components of INPUT.json in the form \"qcmb analyze\" reads",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutputs([]outfile.Named{{Label: "-o", Path: output}}, args, path); err != nil {
				return err
			}
			comps, missing, err := exportComponents(cmd.Context(), inputsOf(cmd), path, args[0])
			if err != nil {
				return err
			}
			if missing > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "%d of %d tasks have no result in %s yet\n", missing, missing+len(comps), path)
			}
			if output == "" {
				return outfile.WriteJSON(cmd.OutOrStdout(), comps)
			}
			return outfile.WriteFile(output, comps)
		},
	}
	export.Flags().StringVarP(&output, "output", "o", "", "write the components here instead of standard output")
	cmd.AddCommand(show, export)
	return cmd
}

// taskStatus is one task in "qcmb store show".
type taskStatus struct {
	Label     string `json:"label"`
	Status    string `json:"status"` // done, failed or missing
	Key       string `json:"key,omitempty"`
	Program   string `json:"program"`
	Version   string `json:"version"`
	ErrorType string `json:"error_type,omitempty"`
	Error     string `json:"error,omitempty"`
}

type runStatus struct {
	ID       int64     `json:"id"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end,omitzero"`
	Status   string    `json:"status"`
	Tasks    int       `json:"tasks"`
	Reused   int       `json:"reused"`
	Computed int       `json:"computed"`
	Failed   int       `json:"failed"`
}

// storeReport is what "qcmb store show" prints.
type storeReport struct {
	Store     string         `json:"store"`
	Input     string         `json:"input"`
	InputHash string         `json:"input_hash"`
	Counts    map[string]int `json:"counts"`
	Tasks     []taskStatus   `json:"tasks"`
	Runs      []runStatus    `json:"runs"`
}

// lookupInput plans the input at inputPath and finds what the store at path holds for
// each of its tasks (of an adaptive expansion, those the stored results release).
func lookupInput(ctx context.Context, read inputReader, path, inputPath string) (*computer.Prepared, []executor.Task, []store.Found, []runStatus, error) {
	in, err := readManyBodyInput(read, inputPath)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	p, err := computer.Prepare(in.v1)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	s, err := openExistingStore(ctx, path)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	defer s.Close()
	tasks, found, err := p.Replay(ctx, s)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	all, err := s.Runs(ctx, p.InputHash())
	if err != nil {
		return nil, nil, nil, nil, err
	}
	runs := []runStatus{}
	for _, r := range all {
		end := r.End
		if !end.IsZero() {
			end = end.UTC()
		}
		runs = append(runs, runStatus{r.ID, r.Start.UTC(), end, r.Status, r.Tasks, r.Reused, r.Computed, r.Failed})
	}
	return p, tasks, found, runs, nil
}

func storeStatus(ctx context.Context, read inputReader, path, inputPath string) (*storeReport, error) {
	p, tasks, found, runs, err := lookupInput(ctx, read, path, inputPath)
	if err != nil {
		return nil, err
	}
	rep := &storeReport{Store: path, Input: inputPath, InputHash: p.InputHash(),
		Counts: map[string]int{"done": 0, "failed": 0, "missing": 0}, Tasks: []taskStatus{}, Runs: runs}
	for i, f := range found {
		t := taskStatus{Label: tasks[i].ID, Status: "missing", Program: tasks[i].Program, Version: f.Version}
		if f.Keyed {
			t.Key = f.Key.String()
		}
		switch {
		case f.Result != nil:
			t.Status = "done"
		case f.Entry != nil:
			t.Status, t.ErrorType, t.Error = "failed", f.Entry.ErrorType, f.Entry.Error
		}
		rep.Counts[t.Status]++
		rep.Tasks = append(rep.Tasks, t)
	}
	return rep, nil
}

func (r *storeReport) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "store %s, input %s (%s)\n", r.Store, r.Input, r.InputHash[:12])
	fmt.Fprintf(tw, "%d tasks: %d done, %d failed, %d missing\n\n", len(r.Tasks), r.Counts["done"], r.Counts["failed"], r.Counts["missing"])
	for _, t := range r.Tasks {
		line := t.Status + "\t" + t.Label
		if t.Error != "" {
			first, _, _ := strings.Cut(t.Error, "\n")
			line += "\t" + first
		}
		fmt.Fprintln(tw, line)
	}
	if len(r.Runs) > 0 {
		fmt.Fprintf(tw, "\nruns of this input:\n")
		for _, run := range r.Runs {
			took := "-"
			if !run.End.IsZero() {
				took = run.End.Sub(run.Start).Round(time.Millisecond).String()
			}
			fmt.Fprintf(tw, "  #%d\t%s\t%s\t%s\t%d tasks: %d reused, %d computed, %d failed\n", run.ID,
				run.Start.Format(time.RFC3339), run.Status, took, run.Tasks, run.Reused, run.Computed, run.Failed)
		}
	}
	return tw.Flush()
}

// exportComponents returns the finished components of the input in plan order and the
// number of tasks without a result.
func exportComponents(ctx context.Context, read inputReader, path, inputPath string) ([]components.Entry, int, error) {
	p, tasks, found, _, err := lookupInput(ctx, read, path, inputPath)
	if err != nil {
		return nil, 0, err
	}
	comps := []components.Entry{}
	missing := 0
	for i, f := range found {
		if f.Result == nil {
			missing++
			continue
		}
		c, err := computer.ComponentOf(p.Input.Specification.Driver, f.Result)
		if err != nil {
			return nil, 0, fmt.Errorf("task %s: %w", tasks[i].ID, err)
		}
		t, err := manybody.ParseLabel(tasks[i].ID)
		if err != nil {
			return nil, 0, err
		}
		e := c.Energy
		comps = append(comps, components.Entry{MC: t.MC, Real: t.Real, Basis: t.Basis, Energy: &e, Gradient: c.Gradient, Hessian: c.Hessian})
	}
	return comps, missing, nil
}
