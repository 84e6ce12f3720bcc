package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/internal/outfile"
)

func newEnginesCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "engines",
		Short: "List the programs qcmb can run and whether each is available here",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			infos := engine.List(cmd.Context())
			if asJSON {
				return outfile.WriteJSON(cmd.OutOrStdout(), infos)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PROGRAM\tAVAILABLE\tVERSION\tNOTE")
			for _, in := range infos {
				avail := "yes"
				if !in.Available {
					avail = "no"
				}
				note := in.Reason
				if in.Via != "" {
					note = strings.TrimSpace("via " + in.Via + "; " + note)
					note = strings.TrimSuffix(note, ";")
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.Name, avail, in.Version, note)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "write the list as JSON")
	return cmd
}
