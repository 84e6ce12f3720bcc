package report_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/qcmb-go/qcmb/stats/report"
)

// Draw the report of a run as one HTML page with the figures inline.
func ExampleWriteHTML() {
	var page bytes.Buffer
	if err := report.WriteHTML(&page, trimer()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("figures:", strings.Count(page.String(), "<svg "))
	figs, _ := report.Figures(trimer())
	for _, f := range figs {
		fmt.Printf("%-18s %s\n", f.Name, f.Title)
	}
	// Output:
	// figures: 5
	// timeline           Timeline of every task on every worker
	// durations          Task durations per n-body level
	// levels             Task time per n-body level
	// model-chemistries  Task time per model chemistry
	// speedup            Predicted speedup against workers
}
