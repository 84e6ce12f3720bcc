package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/stats"
	"github.com/qcmb-go/qcmb/stats/report"
)

func newReportCmd() *cobra.Command {
	var output, format string
	cmd := &cobra.Command{
		Use:   "report STATS.json -o report.html",
		Short: "Draw the timing statistics of a run (qcmb run --stats-json) as an HTML page or figure files",
		Long: `report reads the statistics "qcmb run --stats-json" wrote and draws them: a timeline of every
task on every worker, task durations per n-body level, time per level and per model chemistry,
and the predicted speedup against workers. With --format html (the default) -o names one
self-contained HTML file with the figures inline as SVG; with --format svg or png -o names a
directory that receives one file per figure.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output == "" {
				return errors.New("report: -o is required")
			}
			if format == "html" {
				if err := checkOutputs([]outfile.Named{{Label: "-o", Path: output}}, args, ""); err != nil {
					return err
				}
			} else if err := outfile.Distinct([]outfile.Named{{Label: "-o", Path: output}}, []outfile.Named{{Label: "the input", Path: args[0]}}); err != nil {
				return err
			}
			var rep stats.Report
			if err := readJSON(cmd, args[0], &rep); err != nil {
				return err
			}
			if rep.Tasks == 0 {
				return fmt.Errorf("%s holds no task statistics (qcmb run --stats-json writes them)", args[0])
			}
			if format == "html" {
				return writeHTMLReport(output, &rep)
			}
			paths, err := report.WriteFiles(output, &rep, format)
			if err != nil {
				return err
			}
			for _, p := range paths {
				fmt.Fprintln(cmd.OutOrStdout(), p)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "the HTML file, or the directory for --format svg|png")
	cmd.Flags().StringVar(&format, "format", "html", "html, svg or png")
	return cmd
}

// writeHTMLReport writes rep as an HTML page to path.
func writeHTMLReport(path string, rep *stats.Report) error {
	return outfile.Write(path, func(w io.Writer) error { return report.WriteHTML(w, rep) })
}
